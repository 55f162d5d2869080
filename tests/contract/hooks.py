"""Schemathesis hooks for EstateFlow's contract test (tests/contract/run.sh).

Account: the run signs in as its own account, never as the bootstrap
administrator whose credentials set it up: `contract-fuzz@example.com`,
holding the `admin` role and a `contract_fuzz` role that grants every
permission of the catalog at scope `all`, so that every operation gets past
authorisation and reaches its real work (the `admin` role alone holds no
sales permission). Its token comes from `POST /api/v1/auth/token`
(grant_type=password) and is replaced every 5 minutes (tokens live 15), or
at once on a 401.

Records: a random UUID finds nothing, so an operation on one record would
only ever answer 404. Path ids are therefore drawn, about half of the time,
from the ids of the demo data (read once before the run), so that reads,
updates, transitions and deletions reach real records with fuzzed input.
Left out of those pools, so that the run cannot lock itself out: the run's
own account and the bootstrap administrator (`PATCH /users/{id}` could
disable them, `PUT /users/{id}/roles` strip their roles), and the `admin`
and `contract_fuzz` roles (`PATCH`/`DELETE /roles/{id}` could take the
run's permissions away). Everything else may be changed or deleted.
"""

import os
import secrets

import requests
import schemathesis
from hypothesis import strategies as st

BASE_URL = os.environ["CONTRACT_BASE_URL"]
FUZZ_EMAIL = "contract-fuzz@example.com"
FUZZ_PASSWORD = "contract-" + secrets.token_hex(16)
FUZZ_ROLE = "contract_fuzz"


def _token(email, password):
    response = requests.post(
        f"{BASE_URL}/api/v1/auth/token",
        json={"grant_type": "password", "email": email, "password": password},
        timeout=30,
    )
    if response.status_code != 200:
        raise RuntimeError(f"sign-in of {email} refused: {response.status_code} {response.text}")
    return response.json()["access_token"]


def _create(session, path, body):
    response = session.post(f"{BASE_URL}{path}", json=body, timeout=30)
    if response.status_code != 201:
        raise RuntimeError(f"contract setup: POST {path} answered {response.status_code} {response.text}")


def _set_up_account():
    """Creates the run's role and account with the bootstrap administrator's token."""
    admin = requests.Session()
    admin.headers["Authorization"] = "Bearer " + _token(
        os.environ["CONTRACT_ADMIN_EMAIL"], os.environ["CONTRACT_ADMIN_PASSWORD"]
    )
    catalog = admin.get(f"{BASE_URL}/api/v1/permissions", timeout=30)
    catalog.raise_for_status()
    grants = [{"permission": entry["name"], "scope": "all"} for entry in catalog.json()]
    _create(admin, "/api/v1/roles", {"name": FUZZ_ROLE, "description": "contract test", "grants": grants})
    _create(
        admin,
        "/api/v1/users",
        {
            "email": FUZZ_EMAIL,
            "name": "Contract test",
            "password": FUZZ_PASSWORD,
            "roles": ["admin", FUZZ_ROLE],
        },
    )


_set_up_account()


def _items(session, path):
    response = session.get(f"{BASE_URL}{path}", params={"limit": 100}, timeout=30)
    response.raise_for_status()
    body = response.json()
    items = body["items"] if isinstance(body, dict) else body
    return items


def _collect_pools():
    """Ids of demo records by the first path segment after /api/v1/ (and by parameter name)."""
    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + _token(FUZZ_EMAIL, FUZZ_PASSWORD)
    protected_users = {FUZZ_EMAIL, os.environ["CONTRACT_ADMIN_EMAIL"]}
    protected_roles = {"admin", FUZZ_ROLE}
    pools = {}
    for segment in [
        "customers", "deals", "units", "regions", "teams", "complaints", "targets",
        "trainings", "customer-events", "api-clients", "webhooks", "notifications",
    ]:
        pools[segment] = [item["id"] for item in _items(session, f"/api/v1/{segment}")]
    pools["users"] = [u["id"] for u in _items(session, "/api/v1/users") if u["email"] not in protected_users]
    pools["roles"] = [r["id"] for r in _items(session, "/api/v1/roles") if r["name"] not in protected_roles]
    pools["awards"] = [r["id"] for r in _items(session, "/api/v1/awards/runs")]
    return {name: ids for name, ids in pools.items() if ids}


POOLS = _collect_pools()
# Path parameters other than `id`, by name.
POOL_OF_PARAMETER = {"customer_id": "customers", "user_id": "users", "unit_id": "units"}


@schemathesis.hook
def flatmap_path_parameters(context, path_parameters):
    """Keeps the generated id, or swaps in the id of a real record."""
    if not path_parameters:
        return st.just(path_parameters)
    segment = context.operation.path.split("/")[3] if context.operation.path.startswith("/api/v1/") else ""
    choices = {}
    for name, value in path_parameters.items():
        pool = POOLS.get(segment if name == "id" else POOL_OF_PARAMETER.get(name, ""))
        choices[name] = st.one_of(st.just(value), st.sampled_from(pool)) if pool else st.just(value)
    return st.fixed_dictionaries(choices)


@schemathesis.auth(refresh_interval=300)
class ContractAccountToken:
    def get(self, case, context):
        return _token(FUZZ_EMAIL, FUZZ_PASSWORD)

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
