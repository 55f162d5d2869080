// The timer workloads of `bench timers` on BullMQ: each deadline a delayed
// job whose handler makes the same PostgreSQL writes as EstateFlow's
// breach (the customer and team read, the timer marked fired, the breach,
// the manager's notification, the timeline entry and the webhook delivery
// written, in one transaction), as a per-job design does them.
//
//   node bullmq-timers.mjs burst|sustained|noop --database URL --redis URL
//        --prefix KEY_PREFIX --due-ms EPOCH_MS [--rate N] [--jobs N]
//        [--concurrency 50] [--webhook ID --client ID]
//
// burst: the open first-response timers whose dedupe key starts with
// --prefix, all due at --due-ms; sustained: the same at --rate a second
// from --due-ms; noop: --jobs jobs doing nothing, due at --due-ms.
// Prints one JSON line: jobs, seconds from the due time to the last
// completion, and lag (start of processing minus due time) percentiles.

import { randomUUID } from "node:crypto";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";

const [mode, ...rest] = process.argv.slice(2);
const opt = {};
for (let i = 0; i < rest.length; i += 2) opt[rest[i].replace(/^--/, "")] = rest[i + 1];
const dueMs = Number(opt["due-ms"]);
const rate = Number(opt.rate ?? 1000);
const concurrency = Number(opt.concurrency ?? 50);
// BullMQ wants its own connection per queue and worker, built here.
const redis = () => new Redis(opt.redis, { maxRetriesPerRequest: null });
const name = `peer-${mode}-${process.pid}`;
const pool = new pg.Pool({ connectionString: opt.database, max: 10 });

let jobs = [];
if (mode === "noop") {
  jobs = Array.from({ length: Number(opt.jobs) }, (_, i) => ({ i }));
} else {
  const { rows } = await pool.query(
    "SELECT id, subject_id FROM timers WHERE dedupe_key LIKE $1 AND state = 'pending' ORDER BY dedupe_key",
    [`${opt.prefix}%`],
  );
  jobs = rows.map((r, i) => ({ i, timer: r.id, customer: r.subject_id }));
}
const dueOf = (i) => (mode === "sustained" ? dueMs + Math.floor((i * 1000) / rate) : dueMs);

async function breach({ timer, customer }) {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const c = (await client.query("SELECT * FROM customers WHERE id = $1", [customer])).rows[0];
    const t = (await client.query("SELECT manager_id FROM teams WHERE id = $1", [c.team_id])).rows[0];
    const fired = await client.query(
      "UPDATE timers SET state = 'fired', fired_at = now(), fired_by = 'bullmq', outcome = 'breached' " +
        "WHERE id = $1 AND state IN ('pending', 'queued') RETURNING due_at, policy_version",
      [timer],
    );
    if (fired.rowCount === 1) {
      const { due_at: due, policy_version: version } = fired.rows[0];
      await client.query(
        "INSERT INTO sla_breaches (id, kind, timer_id, customer_id, subject_id, consultant_id, team_id, due_at, breached_at, policy_version) " +
          "VALUES ($1, 'first_response', $2, $3, $3, $4, $5, $6, now(), $7)",
        [randomUUID(), timer, customer, c.owner_id, c.team_id, due, version],
      );
      if (t?.manager_id) await client.query(
        "INSERT INTO notifications (id, user_id, kind, title, body, subject_type, subject_id, dedupe_key, created_at, due_at) " +
          "VALUES ($1, $2, 'sla_breach', '首次响应已超时', $3, 'customer', $4, $5, now(), $6)",
        [randomUUID(), t.manager_id, `截止 ${due.toISOString()}`, customer, `timer:${timer}:breach`, due],
      );
      const data = { kind: "first_response", due_at: due, timer_id: timer };
      await client.query(
        "INSERT INTO timeline_entries (id, customer_id, kind, occurred_at, subject_id, data) VALUES ($1, $2, 'sla_breached', now(), $2, $3)",
        [randomUUID(), customer, JSON.stringify(data)],
      );
      const payload = { kind: "first_response", customer_id: customer, subject_id: customer, due_at: due, breached_at: new Date() };
      await client.query(
        "INSERT INTO webhook_deliveries (id, webhook_id, client_id, event_id, event, payload, status, attempts, next_attempt_at, created_at, updated_at) " +
          "VALUES ($1, $2, $3, $4, 'lead.sla_breached', $5, 'pending', 0, now(), now(), now())",
        [randomUUID(), opt.webhook, opt.client, randomUUID(), JSON.stringify(payload)],
      );
    }
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK");
    throw e;
  } finally {
    client.release();
  }
}

const queue = new Queue(name, { connection: redis() });
const lags = [];
let done = 0;
let last = 0;
const finished = new Promise((resolve) => {
  const worker = new Worker(
    name,
    async (job) => {
      lags.push(Date.now() - job.data.due);
      if (mode !== "noop") await breach(job.data);
    },
    { connection: redis(), concurrency },
  );
  worker.on("completed", () => {
    done += 1;
    if (done === jobs.length) {
      last = Date.now();
      resolve(worker);
    }
  });
  worker.on("failed", (job, err) => console.error(`job ${job?.id} failed: ${err}`));
});

for (let at = 0; at < jobs.length; at += 1000) {
  const now = Date.now();
  await queue.addBulk(
    jobs.slice(at, at + 1000).map((j) => ({
      name: mode,
      data: { ...j, due: dueOf(j.i) },
      opts: { delay: Math.max(0, dueOf(j.i) - now), removeOnComplete: true, removeOnFail: 1000 },
    })),
  );
}
if (Date.now() > dueMs) console.error(`warning: jobs were still being added ${Date.now() - dueMs} ms after the due time`);

const worker = await finished;
lags.sort((a, b) => a - b);
const at = (q) => lags[Math.round((lags.length - 1) * q)] / 1000;
const lastDue = dueOf(jobs.length - 1);
console.log(
  JSON.stringify({
    mode,
    jobs: jobs.length,
    seconds: (last - (mode === "sustained" ? lastDue : dueMs)) / 1000,
    lag_p50: at(0.5),
    lag_p99: at(0.99),
    lag_max: at(1),
  }),
);
await worker.close();
await queue.obliterate({ force: true });
await queue.close();
await pool.end();
process.exit(0);
