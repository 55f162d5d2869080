//! The console on a phone (390 px wide): the sidebar folds into the menu,
//! nothing scrolls sideways.

use tests::{
    ADMIN_EMAIL, ADMIN_PASSWORD,
    browser::{Browser, PHONE},
    spawn_app,
};

use crate::accessibility::{DIRECTOR, console_pages, sign_in_in};

async fn viewport_and_page_width(browser: &Browser) -> (u64, u64) {
    let js = "return [document.documentElement.clientWidth, document.documentElement.scrollWidth];";
    let widths = browser.script(js, vec![]).await;
    let at = |i: usize| widths[i].as_u64().expect("a width");
    (at(0), at(1))
}

async fn assert_no_sideways_scroll(browser: &Browser) {
    let (viewport, page) = viewport_and_page_width(browser).await;
    assert_eq!(viewport, u64::from(PHONE.0), "the viewport is a phone's");
    if page > u64::from(PHONE.0) {
        // What reaches beyond the screen (outside the tables' wrappers,
        // which clip), or whose own content does (a long unbroken text).
        let js = "const inWrap = e => e.parentElement.closest('.table-wrap') && \
                    getComputedStyle(e).position === 'static'; \
                  return Array.from(document.querySelectorAll('body *')) \
                  .filter(e => !inWrap(e)) \
                  .filter(e => e.getBoundingClientRect().right > arguments[0] || \
                    (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible' \
                     && e.getBoundingClientRect().left + e.scrollWidth > arguments[0])) \
                  .map(e => e.tagName.toLowerCase() + '.' + e.getAttribute('class') + ' ' + \
                       Math.round(e.getBoundingClientRect().right) + 'px/' + e.scrollWidth);";
        let beyond = browser.script(js, vec![serde_json::json!(PHONE.0)]).await;
        panic!(
            "{} is {page} px wide on a {viewport} px screen; reaching beyond: {beyond}",
            browser.path().await
        );
    }
}

#[tokio::test]
async fn the_console_is_usable_390_pixels_wide_with_the_menu_opening_on_the_links() {
    let app = spawn_app().await;
    let browser = Browser::start(&app).await;
    browser.set_size(PHONE).await;
    browser.open("/console/sign-in").await;
    assert_no_sideways_scroll(&browser).await;
    browser.sign_in_home(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_no_sideways_scroll(&browser).await;

    let side = browser.find("div.side").await;
    assert!(!side.is_displayed().await.expect("side"), "the sidebar is folded away");
    let menu = browser.find("details.menu").await;
    assert!(menu.is_displayed().await.expect("menu"), "the menu button is shown");
    let nav = browser.find("details.menu nav").await;
    assert!(!nav.is_displayed().await.expect("nav"), "closed at first");

    browser.click("details.menu summary").await;
    assert_eq!(menu.attr("open").await.expect("open"), Some("true".to_owned()));
    assert!(nav.is_displayed().await.expect("nav"), "the menu opens");
    let links = browser.find_all("details.menu nav a").await;
    let wide = browser.find_all("div.side nav a").await;
    assert_eq!(links.len(), wide.len(), "the menu lists what the sidebar lists");
    for link in &links {
        assert!(
            link.is_displayed().await.expect("link"),
            "every link of the open menu shows"
        );
    }
    assert_no_sideways_scroll(&browser).await;

    // An error page too.
    browser.open("/console/no-such-page").await;
    assert_no_sideways_scroll(&browser).await;
}

#[tokio::test]
async fn no_console_page_scrolls_sideways_390_pixels_wide_only_tables_scroll_inside_their_wrapper() {
    let app = spawn_app().await;
    let pages = console_pages(&app).await;
    let browser = Browser::start(&app).await;
    browser.set_size(PHONE).await;
    let mut wrapped = 0;
    for (email, password, paths) in [
        (ADMIN_EMAIL, ADMIN_PASSWORD, &pages.admin),
        (DIRECTOR, domain::demo::DEMO_PASSWORD, &pages.director),
    ] {
        browser.client.delete_all_cookies().await.expect("sign out");
        sign_in_in(&browser, "zh-CN", email, password).await;
        for path in paths {
            browser.open(path).await;
            assert_eq!(browser.status().await, 200, "{path}");
            assert_no_sideways_scroll(&browser).await;
            // A table wider than the screen scrolls inside its wrapper.
            let js = "return Array.from(document.querySelectorAll('.table-wrap')) \
                      .filter(w => w.scrollWidth > w.clientWidth) \
                      .map(w => getComputedStyle(w).overflowX);";
            let scrolling = browser.script(js, vec![]).await;
            for overflow in scrolling.as_array().into_iter().flatten() {
                wrapped += 1;
                assert!(
                    overflow == "auto" || overflow == "scroll",
                    "{path}: a wide table's wrapper scrolls ({overflow})"
                );
            }
        }
    }
    assert!(
        wrapped > 0,
        "some table is wider than a phone and scrolls in its wrapper"
    );
}
