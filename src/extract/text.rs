//! Small reading helpers shared by extraction and the checks: sentences, word counts,
//! and the vocabularies that tell a detection from an escalation.

use regex::Regex;
use std::sync::LazyLock;

/// Words: runs containing a letter or digit ("10:00", "don't", "DB-1" count once).
pub fn word_count(text: &str) -> usize {
    if !text.is_ascii() {
        return text
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .count();
    }
    // The same count over bytes: runs between whitespace with a letter or digit in them.
    let (mut count, mut word, mut alnum) = (0, false, false);
    for &b in text.as_bytes() {
        if matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r') {
            count += usize::from(word && alnum);
            (word, alnum) = (false, false);
        } else {
            word = true;
            alnum |= b.is_ascii_alphanumeric();
        }
    }
    count + usize::from(word && alnum)
}

/// How many words `text` has outside `span`: a line that is "only a time" or "only a
/// date" has few.
pub fn words_besides(text: &str, span: std::ops::Range<usize>) -> usize {
    word_count(&format!("{}{}", &text[..span.start], &text[span.end..]))
}

/// Splits prose into sentences at `.`, `!` or `?` followed by a space and a capital or
/// digit, so "v1.2", "e.g. the" and "10.5%" stay whole.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if matches!(c, b'.' | b'!' | b'?')
            && i + 2 < bytes.len()
            && bytes[i + 1] == b' '
            && (bytes[i + 2].is_ascii_uppercase()
                || bytes[i + 2].is_ascii_digit()
                || bytes[i + 2] == b'"')
            && !ends_with_abbreviation(&text[start..i])
        {
            let s = text[start..=i].trim();
            if !s.is_empty() {
                out.push(s);
            }
            start = i + 2;
            i += 2;
            continue;
        }
        i += 1;
    }
    let s = text[start.min(text.len())..].trim();
    if !s.is_empty() {
        out.push(s);
    }
    out
}

fn ends_with_abbreviation(s: &str) -> bool {
    let last = s
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    matches!(
        last.to_ascii_lowercase().as_str(),
        "e.g"
            | "i.e"
            | "etc"
            | "vs"
            | "approx"
            | "mr"
            | "mrs"
            | "dr"
            | "st"
            | "no"
            | "a.m"
            | "p.m"
            | "inc"
    )
}

/// A vocabulary: word stems matched at word starts, case-insensitively.
pub struct Vocab(Regex);

impl Vocab {
    /// `stems` are regex fragments matched after a word boundary (`escalat`, `paged?\b`).
    ///
    /// The stems are English words, so their boundaries are ASCII ones: a Unicode `\b`
    /// makes the regex crate's fast DFA give up on any text that is not ASCII (a curly
    /// quote or a dash is enough) and search with a slower engine.
    pub fn new(stems: &[&str]) -> Vocab {
        let pattern = format!(r"(?i)\b(?:{})", stems.join("|")).replace(r"\b", r"(?-u:\b)");
        Vocab(Regex::new(&pattern).expect("vocabulary regex"))
    }

    pub fn matches(&self, text: &str) -> bool {
        self.0.is_match(text)
    }

    pub fn find<'t>(&self, text: &'t str) -> Option<regex::Match<'t>> {
        self.0.find(text)
    }

    pub fn find_iter<'t>(&self, text: &'t str) -> impl Iterator<Item = regex::Match<'t>> {
        self.0.find_iter(text)
    }
}

macro_rules! vocab {
    ($name:ident, [$($stem:expr),* $(,)?]) => {
        pub static $name: LazyLock<Vocab> = LazyLock::new(|| Vocab::new(&[$($stem),*]));
    };
    // Its own stems and a shared list.
    ($name:ident, [$($stem:expr),* $(,)?] + $shared:expr) => {
        pub static $name: LazyLock<Vocab> =
            LazyLock::new(|| Vocab::new(&[&[$($stem),*][..], $shared].concat()));
    };
}

/// What raises the alarm: alerts, monitoring tools, reports and pages. Both a timeline
/// entry's kind (detection) and the `timeline-detected-how` check read these.
const SIGNALS: &[&str] = &[
    r"alert",
    r"alarm",
    r"monitor",
    r"notic",
    r"spotted",
    r"observed",
    r"report(?:ed|s)\b",
    r"complain",
    r"flagged",
    r"pag(?:ed|er)\b",
    r"pagerduty",
    r"nagios",
    r"datadog",
    r"grafana",
    r"prometheus",
    r"new relic",
    r"uptime ?robot",
    r"pingdom",
    r"sentry",
    r"tweet",
    r"first sign",
    r"identified the (?:issue|problem|outage)",
    r"became aware",
    r"received (?:a |an |multiple |several )?(?:call|email|message|report|complaint|notification)",
    r"notified",
];

vocab!(
    DETECTION,
    [
        r"detect",
        r"encounter",
        r"realiz",
        r"realis",
        r"saw\b",
        r"found (?:that|out)",
        r"it was found",
        r"became apparent",
        r"customer",
        r"ticket",
        r"discover",
        r"triggered",
    ] + SIGNALS
);

// How an issue came to light: the methods a reviewer accepts for `timeline-detected-how`.
vocab!(
    DETECTED_BY,
    [
        r"detected (?:by|through|via|with|using|from|when|while|after|during|as)",
        r"(?:engineer|developer|admin|team|user|customer|client|staff|someone|operator|sre|devops|support|tester|qa|intern|we)s? (?:\w+ ){0,2}(?:detected|discovered|noticed|found|realized|realised|reported|report|spotted|saw|observed)",
        r"encountered (?:the|this) (?:issue|problem|error)",
        r"(?:customers?|users?|clients?|students?|staff|partners?|members?|visitors?|people|someone|somebody|secretary|colleagues?|teachers?|employees?|helpdesk|service desk) (?:\w+ ){0,2}(?:reported|complained|called|phoned|rang|contacted|noticed|tweeted|posted|messaged|raised|emailed|e-mailed|wrote|told|said|asked)",
        r"(?:support )?tickets? (?:\w+ )?(?:were |was )?(?:opened|raised|filed|submitted|came|poured)",
        // Someone telling the writer: "my cousin called me", "a student emailed us".
        r"(?:called|phoned|rang|emailed|e-mailed|messaged|texted|told|pinged|wrote to|warned|informed) (?:me|us|the team|our team)\b",
        r"let (?:me|us) know",
        // The first of the reports: "first student email", "gets the first calls".
        r"first (?:\w+ ){0,2}(?:reports?|calls?|e-?mails?|messages?|tickets?|complaints?|posts?|tweets?|issues?|bug reports?)\b",
        // A monitoring tool showing the change: "Crashlytics shows a jump of errors".
        r"(?:shows?|showed|showing) (?:a |an )?(?:jump|spike|surge|rise|increase|drop|burst)",
        r"(?:calls|e-?mails|messages|tickets|complaints|reports) (?:\w+ ){0,3}(?:came|started|poured|arrived|flooded|rolled|piled)",
        r"phones? (?:lit|light|lights) up",
        r"posts? (?:in|on) #",
    ] + SIGNALS
);

vocab!(
    INVESTIGATION,
    [
        r"investigat",
        r"check",
        r"examin",
        r"inspect",
        r"review",
        r"analy[sz]",
        r"look(?:ed|ing)? (?:at|into|through)",
        r"debug",
        r"diagnos",
        r"suspect",
        r"assum",
        r"hypothes",
        r"theor",
        r"test(?:ed|ing)\b",
        r"trac(?:ed|ing)\b",
        r"dug",
        r"digging",
        r"explor",
        r"scrutin",
        r"verif",
        r"ran \w+",
        r"strace",
        r"curl",
        r"grep",
        r"logs?\b",
        r"focus",
        r"searched",
        r"monitor(?:ed|ing) the",
        r"attempt",
        r"tried",
        r"identif",
        r"found",
    ]
);

vocab!(
    RESOLUTION,
    [
        r"resolv",
        r"resolution",
        r"restor",
        r"fix(?:ed|ing)?\b",
        r"back (?:online|up|to normal)",
        r"recover",
        r"rolled back",
        r"roll(?:ed|ing)? ?back",
        r"revert",
        r"restart",
        r"reboot",
        r"redeploy",
        r"deployed (?:a |the )?(?:fix|patch|hotfix)",
        r"patch",
        r"normal(?:ity|ly)? (?:operation|service)",
        r"operational",
        r"stabili",
        r"mitigat",
        r"corrected",
        r"replac",
        r"renew",
        r"solved",
        r"revok",
        r"re-?enabl",
        r"unblock",
        r"fail(?:ed|ing)? ?over",
        r"rotat(?:ed|ing) (?:the |all |every )?(?:\w+ )?(?:keys?|tokens?|secrets?|credentials?|passwords?)",
        r"service (?:was )?(?:fully )?(?:available|up)",
        r"closed",
        r"all clear",
        r"up and running",
        r"incident (?:was )?(?:declared )?(?:over|closed|resolved)",
        r"working (?:again|normally|as expected)",
    ]
);

vocab!(
    MITIGATION,
    [
        r"roll(?:ed|ing)? ?back",
        r"revert",
        r"restart",
        r"reboot",
        r"scal(?:ed|ing) (?:up|out)",
        r"increas",
        r"temporar",
        r"workaround",
        r"mitigat",
        r"failover",
        r"failed over",
        r"disabl",
        r"flush",
        r"clear(?:ed|ing)",
        r"freed",
        r"apply(?:ing)?|applied",
        r"deploy(?:ed|ing) (?:a |the )?(?:fix|patch|hotfix)",
        r"patch",
        r"killed",
        r"redirect",
        r"rate[- ]limit",
        r"block(?:ed|ing)",
        r"added (?:more )?(?:capacity|servers|nodes|memory)",
    ]
);

vocab!(
    CAUSE,
    [
        r"caused\b",
        r"(?:issue|problem|culprit|error|outage|failure) (?:was|is) (?:that|the|a|an|due|because|related)",
        r"(?:found|discovered|determined|identified|realized|realised) that",
        r"came from",
        r"was down to",
        r"root cause",
        r"caused by",
        r"cause[ds]? (?:was|were|is)",
        r"due to",
        r"because",
        r"result(?:ed|ing)? (?:of|from)",
        r"as a result of",
        r"stem(?:med|ming|s)? from",
        r"traced (?:back )?to",
        r"triggered by",
        r"attribut",
        r"originat",
        r"the culprit",
        r"the reason",
        r"responsible for",
        r"behind the",
        r"source of the",
        r"misconfigur",
        r"typo",
        r"bug\b",
        r"overload",
        r"exhaust",
        r"expired",
        r"leak",
    ]
);

vocab!(
    FIX,
    [
        r"configur",
        r"allow",
        r"enabl",
        r"start(?:ed)?\b",
        r"command",
        r"back in order",
        r"creat",
        r"bring (?:it |the \w+ )?back",
        r"brought (?:it |the \w+ )?back",
        r"fix",
        r"resolv",
        r"restor",
        r"roll(?:ed)? ?back",
        r"revert",
        r"restart",
        r"patch",
        r"correct",
        r"replac",
        r"updat",
        r"chang(?:ed|ing)",
        r"modif",
        r"adjust",
        r"increas",
        r"renew",
        r"deploy",
        r"reconfigur",
        r"rewr",
        r"remov",
        r"add(?:ed|ing)\b",
        r"implement",
        r"applied",
        r"solution",
        r"solved",
        r"upgrad",
        r"install",
        r"rebuil",
        r"repair",
        r"clean",
        r"flush",
        r"migrat",
        r"scal",
        r"set\b",
        r"edit",
        r"renam",
        r"mov(?:ed|ing)",
    ]
);

vocab!(
    IMPROVEMENT,
    [
        r"improv",
        r"enhanc",
        r"strengthen",
        r"better",
        r"prevent",
        r"monitor",
        r"alert",
        r"automat",
        r"test",
        r"review",
        r"document",
        r"train",
        r"implement",
        r"add",
        r"introduc",
        r"establish",
        r"ensure",
        r"regular",
        r"upgrad",
        r"audit",
        r"redundan",
        r"backup",
        r"scal",
        r"validat",
        r"process",
        r"procedure",
        r"polic",
        r"should",
        r"will\b",
        r"must\b",
        r"need",
    ]
);

vocab!(
    EXPERIENCE,
    [
        r"users?\b",
        r"customers?",
        r"clients?",
        r"visitors?",
        r"down\b",
        r"unavailab",
        r"unreachab",
        r"inaccessib",
        r"slow",
        r"latenc",
        r"timeout",
        r"timed out",
        r"errors?\b",
        r"\b5\d\d\b",
        r"fail",
        r"outage",
        r"could not",
        r"couldn't",
        r"unable",
        r"crash",
        r"degrad",
        r"interrupt",
        r"broken",
        r"not (?:load|work|respond)",
        r"offline",
        r"disrupt",
        r"blank",
    ]
);

// The advanced task's playful register: stories, heroes, jokes.
vocab!(
    PLAYFUL,
    [
        r"hero",
        r"villain",
        r"saga",
        r"epic",
        r"drama",
        r"chaos",
        r"lol\b",
        r"haha",
        r"joke",
        r"funny",
        r"superhero",
        r"legend",
        r"mystery",
        r"detective",
        r"quest",
        r"adventure",
        r"battle",
        r"dragon",
        r"monster",
        r"gremlin",
        r"ninja",
        r"wizard",
        r"magic",
        r"ghost",
        r"zombie",
        r"jedi",
        r"force be",
        r"galaxy",
        r"rollercoaster",
        r"tale",
        r"once upon",
        r"plot twist",
        r"spoiler",
        r"oops",
        r"whoops",
        r"yikes",
        r"panic",
        r"coffee",
        r"caffeine",
        r"pizza",
        r"party",
    ]
);

// Words of systems and outages: what a postmortem of an incident talks about.
vocab!(
    TECHNICAL,
    [
        r"server",
        r"service",
        r"website",
        r"web ?site",
        r"\bsite\b",
        r"\bapp\b",
        r"application",
        r"\bapi",
        r"database",
        r"\bdb\b",
        r"outage",
        r"downtime",
        r"\bdown\b",
        r"errors?\b",
        r"crash",
        r"deploy",
        r"network",
        r"latency",
        r"timeout",
        r"timed out",
        r"\bbug",
        r"nginx",
        r"apache",
        r"requests?\b",
        r"traffic",
        r"\bcpu",
        r"memory",
        r"disk",
        r"load balancer",
        r"\bdns",
        r"http",
        r"\b50[0-4]\b",
        r"config",
        r"cache",
        r"queue",
        r"container",
        r"docker",
        r"kubernetes",
        r"cluster",
        r"backend",
        r"frontend",
        r"endpoint",
        r"\bssl",
        r"\btls",
        r"certificate",
        r"puppet",
        r"mysql",
        r"postgres",
        r"redis",
        r"wordpress",
        r"php",
        r"platform",
        r"portal",
        r"login",
        r"monitoring",
        r"alert",
        r"incident",
    ]
);

/// Whether a sentence instructs its reader rather than tells what happened: an
/// imperative ("Explain the cause in detail", "Give the start and end", "Do not blame
/// people"), or a question put to them ("What went wrong?", "when was it detected").
/// Read from the shape of the sentence, not from a list of instructions: an imperative
/// opens with a verb in its plain form and goes straight on to its object (a
/// determiner, a pronoun or a question word), where a statement opens with its subject,
/// a past or third-person verb, or an adverb. Timestamped lines are events.
pub fn instructs(sentence: &str) -> bool {
    let text = sentence.trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, '-' | '*' | '>' | '#' | '•' | '_' | '+')
    });
    let mut spans = crate::words::spans(text).into_iter();
    let mut first = spans.next();
    // "1. Explain ...": a list number is not the sentence's first word.
    if let Some(n) = first
        && n.len() <= 2
        && n.bytes().all(|b| b.is_ascii_digit())
        && text.starts_with(n)
        && text[n.len()..].starts_with(['.', ')'])
    {
        first = spans.next();
    }
    let Some(first) = first else { return false };
    if !first.chars().all(char::is_alphabetic) {
        return false;
    }
    let first = crate::words::lower(first);
    let Some(second) = spans.next().map(crate::words::lower) else {
        return false;
    };
    let first = first.as_str();
    if WH.contains(&first) {
        // A question: a question word and then a verb that asks ("what went wrong",
        // "when was it", "how did you notice").
        return AUXILIARY.contains(&second.as_str()) || second.ends_with("ed") || second == "went";
    }
    if matches!(first, "do" | "don't" | "never" | "please") {
        return first != "do" || second == "not";
    }
    if first == "be" || (first == "make" && second == "sure") {
        return true;
    }
    let inflected = first.ends_with("ed")
        || first.ends_with("ing")
        || first.ends_with("ly")
        || (first.ends_with('s') && !first.ends_with("ss"));
    !inflected
        && first.len() > 2
        && !NOT_A_VERB.contains(&first)
        && !crate::extract::time::names_a_day_or_month(first)
        && OBJECT_START.contains(&second.as_str())
}

/// Question words.
const WH: &[&str] = &[
    "what", "when", "how", "who", "why", "which", "where", "whom",
];

/// The verbs that follow a question word in a question.
const AUXILIARY: &[&str] = &[
    "is", "are", "was", "were", "do", "does", "did", "can", "could", "will", "would", "should",
    "has", "have", "had", "caused", "happened", "went",
];

/// Words that open a statement where an imperative's verb would stand: pronouns,
/// determiners, conjunctions, prepositions and adverbs of time and order (closed classes
/// of English).
const NOT_A_VERB: &[&str] = &[
    "the",
    "this",
    "that",
    "these",
    "those",
    "there",
    "here",
    "our",
    "my",
    "your",
    "his",
    "her",
    "its",
    "their",
    "she",
    "you",
    "they",
    "then",
    "now",
    "later",
    "soon",
    "after",
    "before",
    "during",
    "once",
    "while",
    "since",
    "until",
    "till",
    "from",
    "with",
    "within",
    "around",
    "about",
    "over",
    "under",
    "into",
    "onto",
    "upon",
    "across",
    "through",
    "and",
    "but",
    "nor",
    "yet",
    "because",
    "although",
    "though",
    "also",
    "next",
    "first",
    "second",
    "third",
    "finally",
    "still",
    "only",
    "just",
    "even",
    "all",
    "every",
    "each",
    "some",
    "most",
    "many",
    "much",
    "none",
    "both",
    "another",
    "other",
    "one",
    "two",
    "three",
    "today",
    "yesterday",
    "tonight",
    "tomorrow",
    "overall",
    "however",
    "meanwhile",
    "nobody",
    "everyone",
    "everybody",
    "someone",
    "somebody",
    "something",
    "nothing",
    "everything",
    "last",
    "same",
    "not",
    "neither",
    "either",
    "such",
    "what",
    "whatever",
    "thus",
    "hence",
    "therefore",
    "again",
    "already",
    "almost",
    "instead",
    "otherwise",
    "shortly",
    "per",
    "via",
    "without",
    "against",
    "among",
    "between",
    "behind",
    "beyond",
    "near",
    "off",
    "out",
    "than",
    "like",
    "unlike",
    "despite",
    "except",
];

/// Words that open an imperative's object: determiners, possessives, object pronouns
/// and question words ("Explain *the* cause", "Say *what* was not affected").
const OBJECT_START: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "your", "our", "its", "their", "his",
    "her", "my", "each", "every", "all", "any", "some", "what", "how", "when", "who", "why",
    "which", "where", "whether", "it", "them", "him", "us", "me", "one", "enough",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_count_is_the_same_over_bytes_and_chars() {
        for t in [
            "",
            "  - -- ",
            "10:00 AM - the DB-1 node\tfailed\x0b!\r\n ok",
            "a  b\x0cc ... d",
        ] {
            let by_chars = t
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .count();
            assert_eq!(word_count(t), by_chars, "{t:?}");
        }
        assert_eq!(word_count("café au lait — 3"), 4);
    }

    #[test]
    fn sentences_keep_decimals_and_abbreviations() {
        assert_eq!(
            sentences("About 40.5% of users, e.g. Ana, saw errors. The fix came at 10 a.m. Sharp."),
            [
                "About 40.5% of users, e.g. Ana, saw errors.",
                "The fix came at 10 a.m. Sharp."
            ]
        );
    }

    #[test]
    fn word_counts_ignore_punctuation() {
        assert_eq!(word_count("10:00 AM - the DB-1 node - failed !"), 6);
    }

    #[test]
    fn vocabularies() {
        assert!(DETECTION.matches("A monitoring alert fired"));
        assert!(RESOLUTION.matches("Service restored after rollback"));
    }

    #[test]
    fn instructions_are_read_from_the_shape_of_the_sentence() {
        for s in [
            "Explain the cause in enough detail.",
            "Give the start and end of the impact with a time zone.",
            "1. Describe how it was fixed.",
            "- Say what was not affected, too.",
            "Do not blame people.",
            "Be brief.",
            "What went wrong?",
            "when was it detected",
            "Make sure every task has an owner.",
            "Copy this page into a new document.",
        ] {
            assert!(instructs(s), "{s}");
        }
        for s in [
            "The load balancer returned 502s.",
            "Restarted the service at 10:05.",
            "Users saw a blank page.",
            "Nginx failed to start.",
            "Then the team rolled back the deploy.",
            "Yesterday the site went down.",
            "Monday the queue filled up.",
            "10:05 - Check the logs.",
            "We checked the logs.",
            "Unfortunately the backup was empty.",
            "Traffic to the site dropped by half.",
            "What a night.",
        ] {
            assert!(!instructs(s), "{s}");
        }
    }
}
