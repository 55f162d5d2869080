//! The console in headless Chromium (through chromedriver): what a person
//! does with a real browser — signing in through the form, switching the
//! language, being refused, using the page on a phone — and the
//! accessibility check on every page. See tests/src/browser.rs for the
//! harness; chromedriver and Chromium must be installed (the tests fail
//! saying how otherwise).
//!
//! Each page of the console adds a line to `accessibility::PAGES`.

mod accessibility;
mod forms;
mod queues;
mod refusals;
mod roles;
mod signing_in;
mod small_screens;
