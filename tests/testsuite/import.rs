//! `hindsight import`: a class of fake clones (made with `git`, each with a remote and
//! commits) in the shapes real submissions take, imported, re-imported unchanged,
//! after a student's update and after a hand edit, then built into a gallery.

use crate::common::{TestSite, good_postmortem};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PM: &str = "0x19-postmortem";

/// Runs `git` in `dir` with a name and an address of its own and none of the
/// machine's settings.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Student")
        .env("GIT_AUTHOR_EMAIL", "student@example.com")
        .env("GIT_COMMITTER_NAME", "Student")
        .env("GIT_COMMITTER_EMAIL", "student@example.com")
        .output()
        .unwrap_or_else(|e| panic!("this test needs git (apt-get install git): {e}"));
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A clone in `clones/<folder>` with `files` committed and `remote` as its origin.
fn clone(clones: &Path, folder: &str, remote: Option<&str>, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = clones.join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    git(&dir, &["init", "-q"]);
    if let Some(r) = remote {
        git(&dir, &["remote", "add", "origin", r]);
    }
    commit(&dir, files, "first version");
    dir
}

fn commit(dir: &Path, files: &[(&str, &[u8])], message: &str) -> String {
    for (rel, bytes) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

/// Runs `hindsight import` with an empty PATH (so no `git` could be run) and the
/// summary as JSON.
fn import(site: &TestSite, clones: &Path) -> (Output, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .current_dir(&site.dir)
        .env("PATH", "")
        .args(["--root"])
        .arg(&site.dir)
        .args(["--color", "never", "import"])
        .arg(clones)
        .args(["--into", "content/cohort", "--format", "json"])
        .output()
        .unwrap();
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "the summary is not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, summary)
}

/// Each student's line of the summary, by folder.
fn by_folder(summary: &Value) -> BTreeMap<String, Value> {
    summary["students"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["folder"].as_str().unwrap().to_owned(), s.clone()))
        .collect()
}

/// Every file of the collection folder (hidden ones too) with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn front_and_rest(bytes: &[u8]) -> (String, Vec<u8>) {
    let text = bytes;
    assert!(
        text.starts_with(b"+++\n"),
        "{}",
        String::from_utf8_lossy(text)
    );
    let close = text[4..]
        .windows(5)
        .position(|w| w == b"\n+++\n")
        .expect("a closed front matter")
        + 4;
    (
        String::from_utf8(text[4..close + 1].to_vec()).unwrap(),
        text[close + 5..].to_vec(),
    )
}

#[test]
fn a_class_of_clones_is_imported_safely_and_links_back() {
    let site = TestSite::new("import").file(
        "site.toml",
        format!("preview_images = false\n\n[import]\npath = \"{PM}/README.md\"\n"),
    );
    let clones = site.dir.join("clones");
    let readme = format!("{PM}/README.md");
    let alice_text = good_postmortem("Checkout down at lunch");
    let alice = clone(
        &clones,
        "alice-repo",
        Some("https://github.com/alice/alx-system_engineering-devops.git"),
        &[
            (&readme, alice_text.as_bytes()),
            ("README.md", b"# my repo\n"),
        ],
    );
    let alice_commit = git(&alice, &["rev-parse", "HEAD"]);
    let bob_pm = good_postmortem("The cache that forgot");
    let bob = clone(
        &clones,
        "bob",
        Some("git@github.com:bob/alx-sysadmin.git"),
        &[
            (
                &readme,
                b"# Postmortem\n\nSee [my postmortem](postmortem.md).\n",
            ),
            (&format!("{PM}/postmortem.md"), bob_pm.as_bytes()),
        ],
    );
    // A token in the remote URL must never be written anywhere.
    clone(
        &clones,
        "carol",
        Some("https://carol:ghp_SECRETTOKEN123@github.com/carol/alx.git"),
        &[(
            &readme,
            b"# 0x19. Postmortem\n\n[Read it on Medium](https://medium.com/@carol/the-day-dns-broke-1234)\n",
        )],
    );
    clone(
        &clones,
        "dave",
        Some("ssh://git@gitlab.com/dave/devops.git"),
        &[(&readme, b"")],
    );
    clone(
        &clones,
        "erin",
        Some("https://github.com/erin/alx.git"),
        &[("README.md", b"# erin's repo, no postmortem yet\n")],
    );
    let latin1 = [
        b"# Caf\xe9 outage\n\n".as_slice(),
        good_postmortem("Caf\u{e9} API")
            .replace('\u{e9}', "\u{0}")
            .as_bytes(),
    ]
    .concat()
    .into_iter()
    .map(|b| if b == 0 { 0xE9 } else { b })
    .collect::<Vec<u8>>();
    clone(
        &clones,
        "frank",
        Some("https://github.com/Frank-Ng/alx.git"),
        &[(&readme, &latin1)],
    );
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(
        good_postmortem("Résumé service outage")
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    clone(
        &clones,
        "grace",
        Some("https://github.com/grace/alx.git"),
        &[(&readme, &utf16)],
    );
    // A plain folder, not a repository: named after the folder, no source.
    let heidi = clones.join("heidi").join(PM);
    std::fs::create_dir_all(&heidi).unwrap();
    std::fs::write(heidi.join("README.md"), good_postmortem("Heidi's outage")).unwrap();
    // Two clones of one owner.
    clone(
        &clones,
        "ivan-1",
        Some("https://github.com/ivan/alx.git"),
        &[(&readme, good_postmortem("Ivan one").as_bytes())],
    );
    clone(
        &clones,
        "ivan-2",
        Some("https://github.com/ivan/alx-again.git"),
        &[(&readme, good_postmortem("Ivan two").as_bytes())],
    );
    // Only a link to a blog post, with the postmortem beside it.
    clone(
        &clones,
        "judy",
        Some("https://github.com/judy/alx.git"),
        &[
            (
                &readme,
                b"My postmortem: https://judy.dev/blog/postmortem\n",
            ),
            (
                &format!("{PM}/incident-report.md"),
                good_postmortem("Judy's incident").as_bytes(),
            ),
        ],
    );
    // A README that is a symbolic link out of the clone, to a private file.
    std::fs::write(
        site.dir.join("private.txt"),
        "TOP SECRET instructor notes\n",
    )
    .unwrap();
    let mallory = clone(
        &clones,
        "mallory",
        Some("https://github.com/mallory/alx.git"),
        &[("README.md", b"hi\n")],
    );
    std::fs::create_dir_all(mallory.join(PM)).unwrap();
    std::os::unix::fs::symlink(site.dir.join("private.txt"), mallory.join(&readme)).unwrap();
    // The folder and file named in another case; and a setting that would run a
    // program if `git status` were ever run on the clone.
    let niaj = clone(
        &clones,
        "niaj",
        Some("https://github.com/niaj/alx.git"),
        &[(
            "0x19-Postmortem/readme.md",
            good_postmortem("Niaj's outage").as_bytes(),
        )],
    );
    let marker = site.dir.join("fsmonitor-ran");
    git(
        &niaj,
        &[
            "config",
            "core.fsmonitor",
            &format!("touch {}", marker.display()),
        ],
    );
    // A worktree of a repository kept elsewhere: its `.git` is a file.
    let olivia = clone(
        &site.dir.join("elsewhere"),
        "olivia",
        Some("https://github.com/olivia/alx.git"),
        &[(&readme, good_postmortem("Olivia's outage").as_bytes())],
    );
    git(
        &olivia,
        &[
            "worktree",
            "add",
            "-q",
            "--detach",
            clones.join("olivia-wt").to_str().unwrap(),
        ],
    );
    let olivia_commit = git(&olivia, &["rev-parse", "HEAD"]);
    assert!(clones.join("olivia-wt/.git").is_file());
    std::fs::write(clones.join("class-list.txt"), "not a student\n").unwrap();

    // The first import.
    let (out, summary) = import(&site, &clones);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    // mallory's file could not be read: the import says so and fails, the rest is in.
    assert!(!out.status.success());
    let s = by_folder(&summary);
    assert_eq!(s.len(), 14, "{summary:#}");
    let field = |folder: &str, key: &str| s[folder][key].as_str().unwrap_or("").to_owned();
    for (folder, file, kind, action) in [
        ("alice-repo", "alice.md", "text", "added"),
        ("bob", "bob.md", "text", "added"),
        ("carol", "carol.md", "link-only", "added"),
        ("dave", "", "empty", "not-written"),
        ("erin", "", "missing", "not-written"),
        ("frank", "frank-ng.md", "text", "added"),
        ("grace", "grace.md", "text", "added"),
        ("heidi", "heidi.md", "text", "added"),
        ("ivan-1", "ivan.md", "text", "added"),
        ("ivan-2", "ivan-ivan-2.md", "text", "added"),
        ("judy", "judy.md", "text", "added"),
        ("mallory", "", "unreadable", "not-written"),
        ("niaj", "niaj.md", "text", "added"),
        ("olivia-wt", "olivia.md", "text", "added"),
    ] {
        assert_eq!(field(folder, "file"), file, "{folder}: {:#}", s[folder]);
        assert_eq!(field(folder, "kind"), kind, "{folder}");
        assert_eq!(field(folder, "action"), action, "{folder}");
    }
    assert_eq!(summary["ignored"], serde_json::json!(["class-list.txt"]));
    assert_eq!(field("bob", "took"), format!("{PM}/postmortem.md"));
    assert_eq!(field("judy", "took"), format!("{PM}/incident-report.md"));
    assert_eq!(field("niaj", "took"), "0x19-Postmortem/readme.md");
    assert_eq!(
        field("carol", "link"),
        "https://medium.com/@carol/the-day-dns-broke-1234"
    );
    assert!(
        s["mallory"]["notes"][0]
            .as_str()
            .unwrap()
            .contains("symbolic link")
    );
    assert!(
        s["ivan-2"]["notes"][0]
            .as_str()
            .unwrap()
            .contains("ivan-ivan-2.md")
    );
    assert!(!marker.exists(), "a program configured in a clone was run");

    let cohort = site.dir.join("content/cohort");
    let first = snapshot(&cohort);
    // Only what was imported is there, and the record.
    let names: Vec<&str> = first.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            ".hindsight-import.json",
            "alice.md",
            "bob.md",
            "carol.md",
            "frank-ng.md",
            "grace.md",
            "heidi.md",
            "ivan-ivan-2.md",
            "ivan.md",
            "judy.md",
            "niaj.md",
            "olivia.md"
        ]
    );
    assert_eq!(field("olivia-wt", "commit"), olivia_commit);
    assert!(
        front_and_rest(&first["olivia.md"])
            .0
            .contains("source = \"https://github.com/olivia/alx/blob/")
    );
    // The text follows the front matter byte for byte.
    let (front, rest) = front_and_rest(&first["alice.md"]);
    assert_eq!(rest, alice_text.as_bytes());
    assert!(front.contains("author = \"alice\"\n"), "{front}");
    assert!(
        front.contains(&format!(
            "source = \"https://github.com/alice/alx-system_engineering-devops/blob/{alice_commit}/{PM}/README.md\"\n"
        )),
        "{front}"
    );
    assert!(front.contains(&format!("commit = \"{alice_commit}\"\n")));
    assert!(front.contains(&format!("original = \"{PM}/README.md\"\n")));
    assert!(front.contains("imported = 20"), "{front}");
    assert_eq!(front_and_rest(&first["bob.md"]).1, bob_pm.as_bytes());
    assert_eq!(front_and_rest(&first["frank-ng.md"]).1, latin1);
    assert!(
        front_and_rest(&first["heidi.md"])
            .0
            .contains("author = \"heidi\"")
    );
    assert!(!front_and_rest(&first["heidi.md"]).0.contains("source"));
    // The UTF-16 file stays UTF-16: its mark, the front matter in UTF-16, its bytes.
    assert!(first["grace.md"].starts_with(&[0xFF, 0xFE, b'+', 0, b'+', 0, b'+', 0]));
    assert!(first["grace.md"].ends_with(&utf16[2..]));
    for (name, bytes) in &first {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("SECRETTOKEN"), "{name} holds the token");
        assert!(
            !text.contains("TOP SECRET"),
            "{name} holds the private file"
        );
    }
    let printed = format!("{}{stderr}", String::from_utf8_lossy(&out.stdout));
    assert!(!printed.contains("SECRETTOKEN"));

    // Again, nothing changed: every file byte for byte as it was.
    let (_, again) = import(&site, &clones);
    assert_eq!(snapshot(&cohort), first);
    for (folder, r) in by_folder(&again) {
        let a = r["action"].as_str().unwrap();
        assert!(a == "unchanged" || a == "not-written", "{folder}: {a}");
    }

    // alice updates her postmortem; bob's file is edited by hand, then bob updates his.
    let alice_new = format!("{alice_text}\nUpdate: the pool is now monitored.\n");
    let alice_commit2 = commit(&alice, &[(&readme, alice_new.as_bytes())], "fix");
    let mut bob_edited = first["bob.md"].clone();
    bob_edited.extend_from_slice(b"\nInstructor's note: see me.\n");
    std::fs::write(cohort.join("bob.md"), &bob_edited).unwrap();
    commit(
        &bob,
        &[(
            &format!("{PM}/postmortem.md"),
            format!("{bob_pm}\nMore.\n").as_bytes(),
        )],
        "more",
    );
    let (_, third) = import(&site, &clones);
    let t = by_folder(&third);
    assert_eq!(t["alice-repo"]["action"], "updated");
    assert_eq!(t["bob"]["action"], "kept-edited");
    assert!(
        t["bob"]["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("edited by hand"))
    );
    let now = snapshot(&cohort);
    assert_eq!(now["bob.md"], bob_edited, "a hand edit was overwritten");
    let (front, rest) = front_and_rest(&now["alice.md"]);
    assert_eq!(rest, alice_new.as_bytes());
    assert!(front.contains(&format!("commit = \"{alice_commit2}\"")));
    for name in [
        "carol.md",
        "frank-ng.md",
        "grace.md",
        "heidi.md",
        "judy.md",
        "niaj.md",
    ] {
        assert_eq!(now[name], first[name], "{name} changed");
    }

    // The gallery shows each page's author and its source at its commit.
    site.built();
    let page = std::fs::read_dir(site.out("incidents"))
        .unwrap()
        .map(|e| e.unwrap().path().join("index.html"))
        .filter(|p| p.is_file())
        .map(|p| std::fs::read_to_string(p).unwrap())
        .find(|html| html.contains("Checkout down at lunch</h1>"))
        .expect("alice's page");
    assert!(
        page.contains(r#"by <span itemprop="author">alice</span>"#),
        "no author"
    );
    assert!(
        page.contains(&format!(
            "href=\"https://github.com/alice/alx-system_engineering-devops/blob/{alice_commit2}/{PM}/README.md\""
        )),
        "no link to the source"
    );
    assert!(page.contains(&alice_commit2[..7]));
    // The record is not published, and the private file and the token are nowhere.
    let mut stack = vec![site.out("")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            assert!(!p.ends_with(".hindsight-import.json"));
            let bytes = std::fs::read(&p).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains("SECRETTOKEN"), "{}", p.display());
            assert!(!text.contains("TOP SECRET"), "{}", p.display());
        }
    }
}

#[test]
fn a_damaged_record_stops_the_import_and_names_the_file() {
    let site =
        TestSite::new("import-record").file("content/cohort/.hindsight-import.json", "{ not json");
    let clones = site.dir.join("clones");
    let dir = clones.join("ada").join(PM);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("README.md"), good_postmortem("Ada's outage")).unwrap();
    let out = site.run(&[
        "import",
        clones.to_str().unwrap(),
        "--into",
        "content/cohort",
        "--path",
        &format!("{PM}/README.md"),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(".hindsight-import.json:1"), "{err}");
    assert!(!site.dir.join("content/cohort/ada.md").exists());
    // Without the damaged record, the human summary says what was done.
    std::fs::remove_file(site.dir.join("content/cohort/.hindsight-import.json")).unwrap();
    std::fs::create_dir_all(clones.join("bea")).unwrap();
    let args = [
        "import",
        clones.to_str().unwrap(),
        "--into",
        "content/cohort",
        "--path",
        &format!("{PM}/README.md"),
    ];
    let out = site.run(&args);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Imported 2 students from ") && stdout.contains(": 1 added, 0 updated"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: bea: no submission; no 0x19-postmortem/README.md"),
        "{stderr}"
    );
    assert!(site.dir.join("content/cohort/ada.md").is_file());
    // No path given, none in site.toml: a clear usage error.
    let out = site.run(&["import", clones.to_str().unwrap(), "--into", "content/x"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--path"));
}
