//! The alerts, organization and health views in a real headless chromium against a real stack
//! (nats-server, ingest, the projection, the notifier, the console): one stack and one browser
//! session walk every check, in order.
//!
//! - a rule created in the form appears in the notifier's `GET /v1/rules`; deleting it in the
//!   view removes it there;
//! - after the Meta–LG scenario and the hypothetical partnership, the `new-partnership` alert
//!   shows with its attempt, and redeliver adds an attempt (in the view and in `GET /v1/alerts`);
//! - the organization view of `meta` lists LG Electronics among its cooperation and Nvidia as a
//!   supplier, and its timeline pages on;
//! - the health view shows each follower's checkpoint at the log's head with lag 0, and a
//!   projection rebuild runs to done with its progress;
//! - a wrong token shows a clear sign-in error on a write.
//!
//! `LIAISON_SCREENSHOTS=1` writes `docs/screenshots/{alerts,organization}.png`.

mod support;

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::{Value, json};
use support::browser::Browser;
use support::full_stack::FullStack;
use support::{TOKEN, scenario};

/// How long a view may take to show what the test waits for (generous: a loaded CI machine).
const WAIT: Duration = Duration::from_secs(15);
/// The rule the form creates.
const RULE: &str = "console-xr-watch";

/// Clicks the button whose text is `label`.
async fn click_button(b: &Browser, label: &str) {
    b.client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(&format!(
            "//button[normalize-space()='{label}']"
        )))
        .await
        .unwrap_or_else(|e| panic!("no button {label}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Types `text` into the rule form's field `name`.
async fn fill(b: &Browser, name: &str, text: &str) {
    b.element(&format!("form.rule-form [name={name}]"), WAIT)
        .await
        .send_keys(text)
        .await
        .unwrap();
}

/// The ids of the rules the notifier lists (asked directly, with the token).
async fn rule_ids(stack: &FullStack) -> Vec<String> {
    let rules = stack.get(&stack.notifier, "/v1/rules").await;
    rules["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Attempts recorded on the alert `id`, over every target (asked directly).
async fn attempts(stack: &FullStack, id: &str) -> usize {
    let alert = stack
        .get(&stack.notifier, &format!("/v1/alerts/{id}"))
        .await;
    alert["deliveries"]
        .as_array()
        .expect("deliveries")
        .iter()
        .map(|d| d["attempts"].as_array().map_or(0, Vec::len))
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_organizations_and_health_in_a_browser() {
    let started = Instant::now();
    let stack = FullStack::start().await;
    let last = stack.append(&scenario("meta-lg-2024")).await;
    stack.wait_applied(last).await;
    let b = Browser::start().await;
    let console = stack.console.url.clone();
    eprintln!("stack and browser up in {:?}", started.elapsed());

    // Signed out, the alerts view says rules need a token; signing in shows them.
    b.client.goto(&format!("{console}/#/alerts")).await.unwrap();
    let error = b
        .element(".alerts-view .error", WAIT)
        .await
        .text()
        .await
        .unwrap();
    assert!(error.contains("401"), "{error}");
    click_button(&b, "Sign in").await;
    b.element("input[name=token]", WAIT)
        .await
        .send_keys(TOKEN)
        .await
        .unwrap();
    b.element("form.signin button[type=submit]", WAIT)
        .await
        .click()
        .await
        .unwrap();
    b.element("tr[data-rule='new-partnership']", WAIT).await;

    // A rule created in the form is in the notifier's GET /v1/rules.
    fill(&b, "id", RULE).await;
    fill(&b, "name", "Meta on XR").await;
    fill(&b, "organizations", "meta, lg-electronics").await;
    fill(&b, "topics", "xr").await;
    fill(&b, "nats_subject", "alerts.console-test").await;
    for value in ["negotiating", "active"] {
        b.element(
            &format!("form.rule-form input[name=status][value={value}]"),
            WAIT,
        )
        .await
        .click()
        .await
        .unwrap();
    }
    b.element(
        "form.rule-form input[name=factuality][value=asserted]",
        WAIT,
    )
    .await
    .click()
    .await
    .unwrap();
    click_button(&b, "Create rule").await;
    b.element(&format!("tr[data-rule='{RULE}']"), WAIT).await;
    let rule = stack
        .get(&stack.notifier, &format!("/v1/rules/{RULE}"))
        .await;
    assert_eq!(
        (&rule["name"], &rule["match"], &rule["deliver"]),
        (
            &json!("Meta on XR"),
            &json!({
                "organizations": ["meta", "lg-electronics"], "organizations_mode": "any",
                "topics": ["xr"], "factuality": ["asserted"], "status": ["negotiating", "active"]
            }),
            &json!({ "nats_subject": "alerts.console-test" }),
        ),
        "{rule}"
    );
    assert!(rule_ids(&stack).await.contains(&RULE.to_owned()));

    // Deleting it in the view removes it from GET /v1/rules.
    b.element(&format!("button[aria-label='Delete rule {RULE}']"), WAIT)
        .await
        .click()
        .await
        .unwrap();
    b.until(
        "the rule leaves the table",
        &format!("return !document.querySelector(\"tr[data-rule='{RULE}']\");"),
        WAIT,
    )
    .await;
    assert!(!rule_ids(&stack).await.contains(&RULE.to_owned()));

    // The partnership fires new-partnership: the alert shows with its attempt.
    let last = stack.append(&scenario("demo-hypothetical")).await;
    stack.wait_applied(last).await;
    let alerts = stack
        .get(&stack.notifier, "/v1/alerts?rule=new-partnership")
        .await;
    let alert_id = alerts["alerts"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a new-partnership alert: {alerts}"))
        .to_owned();
    b.client
        .goto(&format!("{console}/#/alerts?rule=new-partnership"))
        .await
        .unwrap();
    let row = format!("tr[data-alert='{alert_id}']");
    b.until(
        "the alert shows with its attempt",
        &format!(
            "const r = document.querySelector(\"{row}\"); \
             return !!r && Number(r.dataset.attempts) >= 1 && !!r.querySelector('li.attempt');"
        ),
        WAIT,
    )
    .await;
    let before = attempts(&stack, &alert_id).await;
    let shown: usize = b
        .js(&format!(
            "return Number(document.querySelector(\"{row}\").dataset.attempts);"
        ))
        .await
        .as_u64()
        .unwrap() as usize;
    assert_eq!(shown, before, "the view shows every attempt");

    // Redeliver adds an attempt.
    b.element(&format!("{row} button"), WAIT)
        .await
        .click()
        .await
        .unwrap();
    let deadline = Instant::now() + WAIT;
    while attempts(&stack, &alert_id).await <= before {
        assert!(Instant::now() < deadline, "redeliver added no attempt");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The view reads the alerts again when something changes: leave and come back.
    b.client.goto(&format!("{console}/#/alerts")).await.unwrap();
    b.until(
        "the view shows the new attempt",
        &format!(
            "const r = document.querySelector(\"{row}\"); \
             return !!r && Number(r.dataset.attempts) > {before};"
        ),
        WAIT,
    )
    .await;
    b.js("window.scrollTo(0, 0); return true;").await;
    b.screenshot("alerts").await;

    // The organization: LG Electronics among the cooperation, Nvidia a supplier; the timeline
    // pages on.
    b.client
        .goto(&format!("{console}/#/org/meta?limit=5"))
        .await
        .unwrap();
    b.element("article.organization[data-state='ready']", WAIT)
        .await;
    let lg = b
        .element(
            "a[data-kind='cooperation'][data-other='lg-electronics'][data-status='active']",
            WAIT,
        )
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(lg, "LG Electronics on xr");
    let nvidia = b
        .element("li[data-kind='supplier'][data-other='nvidia']", WAIT)
        .await
        .text()
        .await
        .unwrap();
    assert!(nvidia.starts_with("Nvidia: H100 GPU"), "{nvidia}");
    b.element("li[data-person='mark-zuckerberg']", WAIT).await;
    b.element("section.timeline[data-events='5']", WAIT).await;
    click_button(&b, "More events").await;
    b.element("section.timeline[data-pages='2'][data-events='10']", WAIT)
        .await;
    let sequences = b
        .js("return [...document.querySelectorAll('section.timeline li')].map(l => l.dataset.eventId);")
        .await;
    let ids = sequences.as_array().unwrap();
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no event twice: {sequences}");
    let partnership = scenario("demo-hypothetical")[0]["id"].clone();
    // Every event links to its relationship: the partnership's goes to Meta–LG on xr.
    while !ids.contains(&partnership) {
        let more = b
            .js("return !!document.evaluate(\"//button[normalize-space()='More events']\", document, null, 9, null).singleNodeValue;")
            .await;
        if more != Value::Bool(true) {
            break;
        }
        click_button(&b, "More events").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = b
            .js("return [...document.querySelectorAll('section.timeline li')].map(l => l.dataset.eventId);")
            .await;
        if now.as_array().unwrap().contains(&partnership) {
            break;
        }
    }
    let link = b
        .element(
            &format!("section.timeline li[data-event-id={partnership}] a"),
            WAIT,
        )
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(link, "#/relationship/meta/lg-electronics?topic=xr");
    // As of the day before the meeting, no cooperation with LG Electronics yet.
    b.client
        .goto(&format!("{console}/#/org/meta?as_of=2024-02-27"))
        .await
        .unwrap();
    b.element("article.organization[data-state='ready']", WAIT)
        .await;
    let before_meeting = "return !document.querySelector(\"a[data-other='lg-electronics']\") \
        && document.querySelector('input[name=as_of]').value === '2024-02-27';";
    b.until("no LG Electronics before the meeting", before_meeting, WAIT)
        .await;
    b.client
        .goto(&format!("{console}/#/org/meta"))
        .await
        .unwrap();
    b.element("a[data-other='lg-electronics'][data-status='active']", WAIT)
        .await;
    b.js("window.scrollTo(0, 0); return true;").await;
    b.screenshot("organization").await;

    // Health: each follower at the log's head, lag 0; a rebuild runs to done.
    b.client.goto(&format!("{console}/#/health")).await.unwrap();
    for service in ["ingest", "projection", "notifier"] {
        b.element(
            &format!(
                "tr[data-service='{service}'] li[data-stream='LIAISON_EVENTS'][data-lag='0'][data-checkpoint='{last}'][data-head='{last}']"
            ),
            WAIT,
        )
        .await;
    }
    let rates = b
        .js("return [...document.querySelectorAll('li[data-stream]')].map(l => l.textContent);")
        .await;
    eprintln!("followers: {rates}");
    click_button(&b, "Rebuild the projection").await;
    b.element("section.rebuild[data-state='done']", WAIT).await;
    let rebuilt = b
        .element("section.rebuild", WAIT)
        .await
        .text()
        .await
        .unwrap();
    assert!(rebuilt.contains(&format!("{last} of {last}")), "{rebuilt}");
    eprintln!("rebuild: {rebuilt}");

    // A wrong token on a write: a clear error that says to sign in again.
    b.js("sessionStorage.setItem('liaison.token', 'not-the-token'); return true;")
        .await;
    b.client
        .goto(&format!("{console}/#/alerts?state=failed"))
        .await
        .unwrap();
    b.client.refresh().await.unwrap();
    fill(&b, "id", "refused-rule").await;
    click_button(&b, "Create rule").await;
    let error = b
        .element("#rule-form-error", WAIT)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        error.contains("401") && error.contains("sign in with the write token"),
        "{error}"
    );
    assert!(!rule_ids(&stack).await.contains(&"refused-rule".to_owned()));

    // At phone width, the alerts and the organization fit: nothing scrolls sideways.
    b.client.set_window_size(390, 844).await.unwrap();
    let fits = "const d = document.documentElement; return d.scrollWidth <= d.clientWidth;";
    b.js(&format!(
        "sessionStorage.setItem('liaison.token', '{TOKEN}'); return true;"
    ))
    .await;
    for (view, loaded) in [
        ("alerts", "tr[data-alert] li.attempt"),
        (
            "org/meta",
            "article.organization[data-state='ready'] section.timeline li",
        ),
    ] {
        b.client.goto(&format!("{console}/#/{view}")).await.unwrap();
        b.client.refresh().await.unwrap();
        b.element(loaded, WAIT).await;
        assert_eq!(b.js(fits).await, json!(true), "#/{view} scrolls sideways");
    }

    b.stop().await;
    stack.stop().await;
    eprintln!("the browser test took {:?}", started.elapsed());
}
