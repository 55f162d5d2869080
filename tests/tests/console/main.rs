//! Tests of the admin console over HTTP, as a browser without script sees
//! it: sessions, CSRF, permissions, languages and each page's reads and
//! actions. The browser tests (tests/tests/browser) drive Chromium.

mod admin;
mod agenda;
mod dashboards;
mod forms;
mod integrations;
mod operations;
mod queues;
mod sessions;
