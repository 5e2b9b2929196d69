//! Incremental rebuilds write exactly what a full build of the same content writes.

use crate::common::{TestSite, bundled_content, copy_dir, good_postmortem};
use hindsight::session::{Scope, Session};
use hindsight::{BuildOptions, Site};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every file under `dir` (relative path → bytes).
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        // The records of what each file was made from, and of what each postmortem
        // read as, hold times and the history of the builds: caches.
        .filter(|e| {
            !matches!(
                e.file_name().to_str(),
                Some(".hindsight-fingerprints" | ".hindsight-readings")
            )
        })
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Builds a copy of the site from scratch and compares its output with `site`'s.
pub fn assert_same_as_full_build(site: &TestSite, step: &str) {
    let fresh = TestSite::new("inc-full");
    for item in ["content", "templates", "themes", "static"] {
        if site.dir.join(item).exists() {
            copy_dir(&site.dir.join(item), &fresh.dir.join(item));
        }
    }
    std::fs::copy(site.dir.join("site.toml"), fresh.dir.join("site.toml")).unwrap();
    Site::load(&fresh.dir)
        .unwrap()
        .build(&BuildOptions::default())
        .unwrap();
    let (a, b) = (
        tree(&site.dir.join("public")),
        tree(&fresh.dir.join("public")),
    );
    let (ka, kb): (Vec<&String>, Vec<&String>) = (a.keys().collect(), b.keys().collect());
    assert_eq!(ka, kb, "{step}: the same files");
    for (k, v) in &a {
        assert!(v == &b[k], "{step}: {k} differs from a full build");
    }
}

pub fn touch(site: &TestSite, rel: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let p = site.dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p.canonicalize().unwrap()
}

#[test]
fn every_kind_of_change_gives_the_full_build_output() {
    let site = TestSite::with_content_from("inc", &bundled_content())
        .file("site.toml", "title = \"Incremental\"\npaginate_by = 4\n");
    let (mut session, _) = Session::start(&site.dir, BuildOptions::default()).unwrap();
    assert_same_as_full_build(&site, "first build");

    // An edit to one postmortem: only it is read again.
    let edited = site.dir.join("content/expired-tls-certificate.md");
    let text = std::fs::read_to_string(&edited)
        .unwrap()
        .replace("Ferrylink", "Ferryline");
    let p = touch(&site, "content/expired-tls-certificate.md", text);
    let r = session.rebuild(&[p]).unwrap();
    assert_eq!((r.scope, r.analyzed), (Scope::Content, 1));
    assert!(
        r.render
            .written
            .iter()
            .any(|w| w.contains("expired-tls-certificate"))
    );
    assert!(
        r.render.written.len() < 40,
        "an edit rewrites what lists it, not the site: {:?}",
        r.render.written
    );
    assert_same_as_full_build(&site, "edit");

    // A new file in a new collection.
    let p = touch(
        &site,
        "content/cohort-2026/new-one.md",
        good_postmortem("A brand new outage"),
    );
    session.rebuild(&[p]).unwrap();
    assert_same_as_full_build(&site, "add");

    // A deletion: its page and every listing of it go.
    let gone = site
        .dir
        .join("content/schema-migration-table-lock.md")
        .canonicalize()
        .unwrap();
    std::fs::remove_file(&gone).unwrap();
    let r = session.rebuild(&[gone]).unwrap();
    assert!(
        r.render
            .removed
            .iter()
            .any(|p| p.starts_with("incidents/schema-migration-table-lock/"))
    );
    assert!(
        !site.out("incidents/schema-migration-table-lock").exists(),
        "the emptied folder goes too"
    );
    assert_same_as_full_build(&site, "delete");

    // A rename.
    let from = site
        .dir
        .join("content/dns-cname-missing-trailing-dot.txt")
        .canonicalize()
        .unwrap();
    let to = site.dir.join("content/dns-renamed.txt");
    std::fs::rename(&from, &to).unwrap();
    session
        .rebuild(&[from, to.canonicalize().unwrap()])
        .unwrap();
    assert_same_as_full_build(&site, "rename");

    // A template override: every page is rendered again.
    let p = touch(
        &site,
        "templates/404.html",
        "<html><body>lost {{ site.title }}</body></html>",
    );
    let r = session.rebuild(&[p]).unwrap();
    assert_eq!(r.scope, Scope::Templates);
    assert_same_as_full_build(&site, "template");

    // Static files and assets.
    let p = touch(&site, "static/robots.txt", "User-agent: *\n");
    session.rebuild(&[p]).unwrap();
    let p = touch(
        &site,
        "content/cohort-2024/diagram.png",
        b"\x89PNG\r\n\x1a\n",
    );
    session.rebuild(&[p]).unwrap();
    assert_eq!(
        std::fs::read_to_string(site.out("robots.txt")).unwrap(),
        "User-agent: *\n"
    );
    assert_same_as_full_build(&site, "static and assets");

    // site.toml: everything is read again.
    let p = touch(
        &site,
        "site.toml",
        "title = \"Renamed site\"\npaginate_by = 3\n",
    );
    let r = session.rebuild(&[p]).unwrap();
    assert_eq!(r.scope, Scope::Config);
    assert_same_as_full_build(&site, "config");

    // A setting that changes what the postmortems read as (a tag rule): every card,
    // page and listing follows, though no file changed.
    let p = touch(
        &site,
        "site.toml",
        "title = \"Renamed site\"\npaginate_by = 3\n[tags.keywords]\nferries = [\"certificate\"]\n",
    );
    session.rebuild(&[p]).unwrap();
    assert_same_as_full_build(&site, "a tag rule");
    assert!(site.out("tags/ferries/index.html").exists());

    // Nothing changed: nothing is written.
    let r = session.rebuild(&[]).unwrap();
    assert!(
        r.render.written.is_empty() && r.render.removed.is_empty(),
        "{:?}",
        r.render
    );
}

#[test]
fn edits_that_make_and_unmake_a_copy_give_the_full_build_output() {
    let site = TestSite::with_content_from("inc-copies", &bundled_content())
        .file("site.toml", "title = \"Copies\"\nshow_copies = true\n");
    let (mut session, _) = Session::start(&site.dir, BuildOptions::default()).unwrap();
    let original = std::fs::read_to_string(
        site.dir
            .join("content/cohort-2024/connection-pool-exhaustion.md"),
    )
    .unwrap();
    let target = "content/cohort-2025/redis-eviction-session-logout.md";
    let own = std::fs::read_to_string(site.dir.join(target)).unwrap();
    // Each edit in place (the same postmortems in the same order): one becomes a copy of
    // another with a name changed, a third is edited, then the copy is undone.
    let steps = [
        (
            target,
            original
                .replace("Baobab Pay", "Initech")
                .replace("Wanjiru", "Amina"),
        ),
        ("content/expired-tls-certificate.md", {
            let t = std::fs::read_to_string(site.dir.join("content/expired-tls-certificate.md"))
                .unwrap();
            t.replace("Ferrylink", "Ferryline")
        }),
        (target, own),
    ];
    for (n, (rel, text)) in steps.into_iter().enumerate() {
        let p = touch(&site, rel, text);
        session.rebuild(&[p]).unwrap();
        assert_same_as_full_build(&site, &format!("step {n}"));
        if n == 0 {
            let page = std::fs::read_to_string(
                site.out("incidents/cohort-2025-redis-eviction-session-logout/index.html"),
            )
            .unwrap_or_default();
            assert!(
                page.contains("connection-pool-exhaustion"),
                "the copy is shown on its page"
            );
        }
    }
}

#[test]
fn a_second_build_writes_only_what_changed_and_matches_a_full_build() {
    let site = TestSite::with_content_from("inc-again", &bundled_content()).file(
        "site.toml",
        "title = \"Again\"\npaginate_by = 4\npreview_images = true\n",
    );
    let (first, analysis) = site.built();
    let files = tree(&site.dir.join("public"))
        .keys()
        .filter(|k| !k.starts_with(".hindsight-"))
        .count();
    assert_eq!(first.written, files, "the first build writes every file");
    assert_eq!(first.read, first.files, "and reads every file");
    // What is not a published postmortem is not kept between builds: read each time.
    let unkept = analysis
        .files
        .iter()
        .filter(|f| f.entries.is_empty() || f.is_draft())
        .count();
    assert!(unkept < first.files);

    let (again, _) = site.built();
    assert_eq!(again.written, 0, "nothing changed, nothing written");
    assert_eq!(
        again.read, unkept,
        "nothing changed, only what was not kept read"
    );
    assert_same_as_full_build(&site, "unchanged");

    // One postmortem edited: its page and what lists it.
    let edited = site.dir.join("content/expired-tls-certificate.md");
    let text = std::fs::read_to_string(&edited)
        .unwrap()
        .replace("Ferrylink", "Ferryline");
    touch(&site, "content/expired-tls-certificate.md", text);
    let (one, _) = site.built();
    assert!(
        one.written > 0 && one.written < 40,
        "an edit rewrites what shows it, not the site: {}",
        one.written
    );
    assert_eq!(one.read, unkept + 1, "an edit reads the file edited");
    assert_same_as_full_build(&site, "edit");

    // A page changed or deleted by hand in the output is made again.
    let page = site.out("incidents/expired-tls-certificate/index.html");
    std::fs::write(&page, "tampered").unwrap();
    let gone = site.out("tags/index.html");
    std::fs::remove_file(&gone).unwrap();
    let (mended, _) = site.built();
    assert_eq!(mended.written, 2);
    assert_same_as_full_build(&site, "hand edits");

    // New settings or templates: every page again; new settings read every file again,
    // new templates none. A new title draws every preview image again (they show it);
    // a template none (they show no template).
    let images = tree(&site.dir.join("public"))
        .keys()
        .filter(|k| k.ends_with("preview.png"))
        .count();
    assert!(images > 10, "{images}");
    for (step, rel, text, read, drawn) in [
        (
            "settings",
            "site.toml",
            "title = \"Again, renamed\"\npaginate_by = 4\npreview_images = true\n",
            first.files,
            images,
        ),
        (
            "template",
            "templates/404.html",
            "<html><body>lost {{ site.title }}</body></html>",
            unkept,
            0,
        ),
    ] {
        touch(&site, rel, text);
        let (again, _) = site.built();
        let others = files - images;
        assert!(
            again.written >= drawn && (again.written - drawn) * 10 >= others * 9,
            "{step}: {} of {files}",
            again.written
        );
        assert!(again.written - drawn <= others, "{step}: {}", again.written);
        assert_eq!(again.read, read, "{step}: files read");
        assert_same_as_full_build(&site, step);
    }

    // Of a damaged record of the readings, what precedes the damage is taken, and the
    // record is written afresh; a record that is not one is no record.
    let record = site.out(".hindsight-readings");
    let mut bytes = std::fs::read(&record).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&record, bytes).unwrap();
    let (torn, _) = site.built();
    assert!(
        torn.read > unkept && torn.read < first.files,
        "a torn record: {} read",
        torn.read
    );
    assert_same_as_full_build(&site, "torn record");
    let (after, _) = site.built();
    assert_eq!(after.read, unkept, "the record is whole again");
    std::fs::write(&record, "not a record").unwrap();
    let (foreign, _) = site.built();
    assert_eq!(
        foreign.read, first.files,
        "a record that is not one is not trusted"
    );
    assert_same_as_full_build(&site, "foreign record");
}

#[test]
fn a_reading_kept_from_the_last_build_follows_the_files_its_links_lead_to() {
    let linking =
        good_postmortem("Linked").replace("## Timeline", "![the graph](graph.png)\n\n## Timeline");
    let site = TestSite::new("inc-links")
        .file("content/a.md", &linking)
        .file("content/b.md", good_postmortem("Other"));
    let warned = |a: &hindsight::site::Analysis| {
        a.files
            .iter()
            .any(|f| f.problems.iter().any(|p| p.message.contains("graph.png")))
    };
    let (first, analysis) = site.built();
    assert_eq!(first.read, 2);
    assert!(warned(&analysis), "a link to a missing image is warned");
    // The image appears: the file that links to it is read again, the other is not.
    site.put("content/graph.png", b"\x89PNG\r\n\x1a\n");
    let (again, analysis) = site.built();
    assert_eq!(again.read, 1);
    assert!(!warned(&analysis), "the image is there now");
    assert_same_as_full_build(&site, "image added");
    let (unchanged, analysis) = site.built();
    assert_eq!(unchanged.read, 0);
    assert!(!warned(&analysis));
}

#[test]
fn a_broken_template_keeps_the_last_good_pages() {
    let site = TestSite::new("inc-broken").file("content/a.md", good_postmortem("Alpha"));
    let (mut session, _) = Session::start(&site.dir, BuildOptions::default()).unwrap();
    let before = site.read("incidents/a/index.html");
    let p = touch(&site, "templates/postmortem.html", "{% if %}");
    let err = session
        .rebuild(std::slice::from_ref(&p))
        .expect_err("a broken template fails")
        .to_string();
    assert!(err.contains("postmortem.html"), "{err}");
    assert_eq!(site.read("incidents/a/index.html"), before);
    // Fixing it recovers.
    std::fs::remove_file(&p).unwrap();
    session.rebuild(&[p]).unwrap();
    assert_eq!(site.read("incidents/a/index.html"), before);
}

#[test]
fn a_file_saved_broken_keeps_its_last_good_version_when_asked() {
    let site = TestSite::new("inc-held")
        .file("site.toml", "title = \"Held\"\n")
        .file("content/a.md", good_postmortem("Alpha"));
    let (mut session, _) = Session::start(&site.dir, BuildOptions::default()).unwrap();
    session.keep_last_good(true);
    let before = site.read("incidents/a/index.html");
    let p = touch(&site, "content/a.md", "+++\ntitle = [\n+++\nhalf writ");
    session.rebuild(std::slice::from_ref(&p)).unwrap();
    assert_eq!(site.read("incidents/a/index.html"), before);
    let problems = session.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, "content/a.md");
    assert_eq!(problems[0].1.line, Some(2));
    // The fix is read and published; the problem is gone.
    let p = touch(&site, "content/a.md", good_postmortem("Alpha, fixed up"));
    session.rebuild(&[p]).unwrap();
    assert!(
        site.read("incidents/a/index.html")
            .contains("Alpha, fixed up")
    );
    assert!(session.problems().is_empty());
    assert_same_as_full_build(&site, "after the fix");

    // Without it (the default), the file is published as it now reads. (One session
    // at a time: the first holds the output folder's lock.)
    drop(session);
    let (mut plain, _) = Session::start(&site.dir, BuildOptions::default()).unwrap();
    let p = touch(&site, "content/a.md", "+++\ntitle = [\n+++\nhalf writ");
    plain.rebuild(&[p]).unwrap();
    assert!(!site.out("incidents/a/index.html").exists());
    assert_eq!(plain.problems().len(), 1);
    assert_same_as_full_build(&site, "broken, published as it reads");
}

#[test]
fn an_edit_that_changes_another_postmortems_related_ones_rewrites_its_page() {
    let pm = |title: &str, cause: &str, tag: &str| {
        format!(
            "+++\ntags = [\"{tag}\"]\n+++\n{}",
            good_postmortem(title).replace(
                "The root cause was a database connection pool that was too small for the new worker count.",
                &format!("The root cause was {cause}."),
            )
        )
    };
    let site = TestSite::new("inc-related")
        .file(
            "content/tls.md",
            pm(
                "Expired TLS certificate on the login page",
                "an expired TLS certificate",
                "tls",
            ),
        )
        .file(
            "content/disk.md",
            pm(
                "Disk filled by unrotated logs",
                "log files that were never rotated",
                "storage",
            ),
        )
        .file(
            "content/kafka.md",
            pm(
                "Kafka consumer lag delayed orders",
                "a kafka consumer rebalance storm",
                "queue",
            ),
        );
    let (mut session, _) = Session::start(&site.dir, BuildOptions::default()).unwrap();
    assert_same_as_full_build(&site, "first build");
    let related = |slug: &str| {
        let html = site.read(&format!("incidents/{slug}/index.html"));
        html.find("<section class=\"related\"")
            .map(|at| html[at..at + html[at..].find("</section>").unwrap()].to_owned())
    };
    let before = related("tls");
    assert!(
        !before.as_deref().unwrap_or("").contains("incidents/kafka/"),
        "{before:?}"
    );
    // The kafka postmortem becomes one about an expired certificate: the TLS one's page
    // now lists it, though its own file did not change.
    let p = touch(
        &site,
        "content/kafka.md",
        pm(
            "Kafka broker TLS certificate expired",
            "an expired TLS certificate on the kafka brokers",
            "tls",
        ),
    );
    let r = session.rebuild(&[p]).unwrap();
    assert_eq!(r.analyzed, 1);
    let after = related("tls").expect("a related block");
    assert!(after.contains("incidents/kafka/"), "{after}");
    assert!(
        r.render
            .written
            .iter()
            .any(|w| w == "incidents/tls/index.html"),
        "{:?}",
        r.render.written
    );
    assert_same_as_full_build(&site, "edit that relates another");

    // A new process takes the lists the last build recorded while the postmortems'
    // titles, summaries, causes and tags stay the same, and finds them again after an
    // edit to one of those.
    drop(session);
    let build = || {
        Site::load(&site.dir)
            .unwrap()
            .build(&BuildOptions::default())
            .unwrap()
    };
    build();
    let record = std::fs::read_to_string(site.dir.join("public/.hindsight-fingerprints")).unwrap();
    let record: serde_json::Value = serde_json::from_str(&record).unwrap();
    assert!(record["related"].is_array(), "{}", record["related"]);
    assert_same_as_full_build(&site, "a new process, nothing changed");
    touch(
        &site,
        "content/kafka.md",
        pm(
            "Kafka consumer lag delayed orders",
            "a kafka consumer rebalance storm",
            "queue",
        ),
    );
    build();
    let again = related("tls").unwrap_or_default();
    assert!(!again.contains("incidents/kafka/"), "{again}");
    assert_same_as_full_build(&site, "a new process, an edit that relates no more");
}
