"""Known page chrome, as data: the one place to extend when a platform adds a widget.

Issue 3 asks for boilerplate to be removed where it belongs, from patterns kept
in one place. They are used in three steps:

1. ``CONTENT_SELECTORS`` name the element that holds the article body on the
   platforms we crawl (WordPress and WordPress.com, Blogger, Drupal, news sites);
   when one is found, only it is handed to trafilatura.
2. ``CHROME_SELECTORS`` are removed from the DOM before trafilatura runs.
3. ``CHROME_LINES`` is the text-level safety net applied to what trafilatura
   returns, and a ``COMMENT_SECTION_STARTS`` line ends the article (what
   follows is comments). Both speak the languages WordPress.com widgets speak.

``LEAK_PHRASES`` are phrases that must never survive in stored text; the tests
and ``bench/extraction.py`` count them.
"""

from __future__ import annotations

import re

# Most to least specific; the first selector with a match outside the comments wins.
CONTENT_SELECTORS: tuple[str, ...] = (
    "[itemprop='articleBody']",
    ".entry-content",  # WordPress themes, WordPress.com
    ".post-body",  # Blogger
    ".post-entry",
    ".field--name-body",  # Drupal 8+
    ".field-name-body",  # Drupal 7
    ".node__content",
    ".article-body",  # news sites
    ".article__body",
    ".story-body",
    ".story-content",
    ".post-content",
    ".entry",  # old WordPress themes (Kubrick)
)

# Standfirsts printed above the body on news sites: part of the article, kept in front.
LEAD_SELECTORS: tuple[str, ...] = (
    ".article-dek",
    ".standfirst",
    ".article-summary",
    ".field--name-field-summary",
    ".field-name-field-summary",
)

# Figures and their captions are not article text (as trafilatura and WCXB's reviewers
# have it, issue 9): a figure holding only an image and its caption is dropped; one that
# holds more (a WordPress table block) loses only its tag, so its table is read.
CAPTION_SELECTORS: tuple[str, ...] = ("figcaption", ".wp-caption-text", ".tr-caption")
FIGURE_SELECTORS: tuple[str, ...] = ("figure", ".wp-caption", ".tr-caption-container")

# Chrome by name that page builders (SiteOrigin's "so-panel widget") also give the
# blocks of an article: one of these holding a paragraph of prose is kept.
PROSE_KEPT_SELECTORS: tuple[str, ...] = (".widget",)

# WordPress.com and Jetpack widgets: chrome on any page they appear on, so they are
# removed from a page read whole too (a share box once leaked "Share this:" there).
PLATFORM_WIDGET_SELECTORS: tuple[str, ...] = (
    "#jp-post-flair",
    ".sharedaddy",
    ".sd-sharing-enabled",
    ".sd-block",
    ".sd-like",
    ".jetpack-likes-widget-wrapper",
    "#likes-other-gravatars",
    ".likes-other-gravatars",
    ".wpcnt",
    ".wpa",
    ".wpa-about",
    "#jp-relatedposts",
    ".jp-relatedposts",
    "#bit",
    ".bit",
    "#actionbar",
    ".actnbr-container",
    "#wpcom-follow-bubbles",
    ".wpcom-follow-bubbles",
    ".post-likes-widget-placeholder",
    ".jetpack-subscribe",
    ".wp-block-jetpack-subscriptions",
    ".jp-sharing-input-touch",
)

CHROME_SELECTORS: tuple[str, ...] = (
    # Never article text.
    "script",
    "style",
    "noscript",
    "template",
    "form",
    "button",
    "select",
    "textarea",
    "label",
    "input",
    "iframe",
    "object",
    "embed",
    "svg",
    # Site chrome.
    "nav",
    "aside",
    "[role='navigation']",
    "[role='complementary']",
    "#sidebar",
    "#secondary",
    ".sidebar",
    ".widget-area",
    ".widget",
    "#masthead",
    "#colophon",
    ".site-footer",
    ".site-header",
    "#footer",
    "#header",
    ".skip-link",
    ".screen-reader-text",
    ".visually-hidden",
    ".element-invisible",
    ".breadcrumbs",
    ".breadcrumb",
    *PLATFORM_WIDGET_SELECTORS,
    # WordPress themes: comments, post meta and navigation.
    "#comments",
    ".comments-area",
    "#respond",
    ".comment-respond",
    ".commentlist",
    ".comment-list",
    "#disqus_thread",
    ".comments-link",
    ".comment-policy",
    ".comment_policy",
    ".post-navigation",
    ".navigation",
    ".nav-links",
    "#nav-above",
    "#nav-below",
    ".postmetadata",
    ".entry-footer",
    ".entry-utility",
    ".entry-meta",
    ".post-meta",
    ".tags-links",
    ".cat-links",
    ".edit-link",
    ".more-link",
    ".author-info",
    ".author-bio",
    "#author-info",
    ".yarpp-related",
    ".addtoany_share_save_container",
    ".wp-block-post-navigation-link",
    # Blogger.
    ".post-footer",
    ".post-share-buttons",
    ".blog-pager",
    ".comments",
    "#comments-block",
    ".comment-footer",
    ".feed-links",
    ".date-header",
    # Drupal.
    ".submitted",
    ".links.inline",
    ".node__links",
    ".comment-wrapper",
    "#comment-wrapper",
    ".field-name-field-tags",
    ".field--name-field-tags",
    ".field-name-field-category",
    ".field--name-field-category",
    # News sites.
    ".share-buttons",
    ".social-share",
    ".share-tools",
    ".print-cite",
    ".article-tools",
    ".cite-modal",
    ".cite_modal",
    "#toolbox",
    ".byline",
    ".newsletter-signup",
    ".related-articles",
    ".related-content",
    ".most-read",
    ".read-more",
    ".ad-slot",
    ".advertisement",
    ".reader-comments",
)

# Lines that are chrome on their own, whatever element printed them.
_LINE_PATTERNS: tuple[str, ...] = (
    # WordPress.com / Jetpack, in the languages its widgets speak.
    r"share this:?",
    r"teilen mit:?",
    r"diesen beitrag teilen:?",
    r"partager\s?:?",
    r"partager cet article\s?:?",
    r"compartir:?",
    r"like this:?",
    r"gefällt mir:?",
    r"j[’']aime\s*:?",
    r"me gusta:?",
    r"like loading\W*",
    r"gefällt mir wird geladen\W*",
    r"j[’']aime chargement\W*",
    r"loading\W*",
    r"%d bloggers like this:?",
    r"%d blogueurs aiment cette page\s?:?",
    r"%d bloggern gefällt das:?",
    r"\d[\d,.\s]* bloggers? like[s]? this\.?",
    r"about these ads",
    r"über diese anzeigen",
    r"à propos de ces publicités",
    r"related",
    r"ähnliche beiträge",
    r"articles similaires",
    r"similar posts",
    r"fill in your details below or click an icon to log in:?",
    r"trage deine daten unten ein oder klicke ein icon um dich einzuloggen:?",
    r"entrez vos coordonnées ci-dessous ou cliquez sur une icône pour vous connecter\s?:?",
    r"you are commenting using your .{0,40}account\..*",
    r"du kommentierst mit deinem .{0,40}konto\..*",
    r"vous commentez à l[’']aide de votre compte .{0,40}\..*",
    r"connecting to %s",
    r"verbinde mit %s",
    r"connexion à %s",
    r"notify me of (?:new comments|new posts|follow-up comments) (?:via|by) email\.?",
    r"benachrichtige mich über .{0,60}per e-mail\.?",
    r"avertissez-moi par e-mail .{0,60}\.?",
    r"follow",
    r"folgen",
    r"suivre",
    r"follow [“\"].*[”\"]",
    r"get every new post delivered to your inbox\.?",
    r"erhalte jeden neuen beitrag in deinen posteingang\.?",
    r"recevez les nouvelles publications par mail\.?",
    r"join [\d,]+ other followers",
    r"schließe dich [\d.]+ anderen followern an",
    r"rejoignez [\d\s ]+ autres abonnés",
    r"build a website with wordpress\.com",
    r"blog at wordpress\.com\.?",
    r"bloggen auf wordpress\.com\.?",
    r"propulsé par wordpress\.com\.?",
    r"create a free website or blog at wordpress\.com\.?",
    r"proudly powered by wordpress",
    r"\( log out / change \)",
    r"log out / change \)?",
    # A dateline on its own line: "Last changed 3 March 2009", "Posted on October 20, 2012".
    r"(?:last (?:changed|modified|updated)|updated|published|posted)(?: on)?:?\s+[\w ,./:-]{0,30}\d{4}[\w ,.:]{0,12}",
    # Comment forms and theme post meta.
    r"your email address will not be published\..*",
    r"deine e-mail-adresse wird nicht veröffentlicht\..*",
    r"votre adresse (?:e-mail|de messagerie) ne sera pas publiée\..*",
    r"required fields are marked \*",
    r"\* required",
    r"post comment",
    r"cancel reply",
    r"name \*?",
    r"email \*?",
    r"website",
    r"this entry was posted in .*",
    r"dieser eintrag wurde .{0,40}veröffentlicht.*",
    r"cette entrée a été publiée .*",
    r"bookmark the permalink\.?",
    r"posted in .*",
    r"veröffentlicht in .*",
    r"publié dans .*",
    r"tagged .*",
    r"verschlagwortet mit .*",
    r"filed under:? .*",
    r"(?:« )?older (?:entries|posts?)(?: »)?",
    r"(?:« )?newer (?:entries|posts?)(?: »)?",
    r"(?:← )?previous post(?: →)?",
    r"(?:← )?next post(?: →)?",
    # Blogger.
    r"posted by .{1,60} at \d{1,2}:\d{2}\s*[ap]m",
    r"labels?: .*",
    r"email this\s*blogthis!.*",
    r"subscribe to: post comments \(atom\)",
    r"newer post\s*older post\s*home",
    r"powered by blogger\.?",
    # Drupal.
    r"submitted by .{1,60} on .*",
    r"add new comment",
    r"log in or register to post comments",
    r"read more(?: about .*)?",
    r"tags?: .*",
    # News-site tools.
    r"print(?: print)?(?: cite(?: cite)?)?",
    r"cite(?: cite)?",
    r"style: mla apa chicago(?: close)?",
    r"advertisement",
    r"sign up for our newsletter.*",
    # Page tools any site prints as a line of their own (measured on wcxb-dev's article
    # pages, issue 9: none of these lines is article text there).
    r"table of contents(?: show| hide)?",
    r"related (?:articles|posts|stories)",
    r"learn more",
    r"download now",
    r"read (?:our|the) full review",
    r"check (?:the )?(?:latest )?prices? (?:on|at) [\w .]{1,30}",
    r"written by",
    r"share (?:this )?(?:article|post|story)?:?",
)
CHROME_LINES: re.Pattern[str] = re.compile(
    r"^\s*(?:" + "|".join(_LINE_PATTERNS) + r")\s*$", re.IGNORECASE
)

_COMMENT_STARTS: tuple[str, ...] = (
    r"leave a (?:reply|comment)\b.*",
    r"kommentar verfassen",
    r"hinterlasse einen kommentar",
    r"laisser un commentaire",
    r"post a comment(?: \d+ comments?)?",
    r"\d+ (?:comments?|responses?|replies|kommentare|commentaires)(?: to .*)?:?",
    r"no comments:?",
    r"one (?:comment|response|reply)(?: to .*)?",
    r"comments? are closed\.?",
    r"comments?",
    r"responses?",
    r"reader comments",
    r"add new comment",
    r"join the discussion",
)
COMMENT_SECTION_STARTS: re.Pattern[str] = re.compile(
    r"^\s*(?:" + "|".join(_COMMENT_STARTS) + r")\s*$", re.IGNORECASE
)

# Phrases that must never survive in stored text (used by tests and the benchmark).
LEAK_PHRASES: tuple[str, ...] = (
    # WordPress.com / Jetpack, English, German and French.
    "Leave a Reply",
    "Share this:",
    "Like this:",
    "bloggers like this",
    "About these ads",
    "Get every new post delivered",
    "other followers",
    "Fill in your details below",
    "You are commenting using",
    "Connecting to %s",
    "Like Loading",
    "Notify me of new comments",
    "Teilen mit:",
    "Gefällt mir:",
    "Gefällt mir Wird geladen",
    "Bloggern gefällt das",
    "Kommentar verfassen",
    "Trage deine Daten unten ein",
    "Du kommentierst mit",
    "J'aime",
    "J’aime",
    "Partager :",
    "blogueurs aiment cette page",
    "Laisser un commentaire",
    "Entrez vos coordonnées ci-dessous",
    "Vous commentez à l’aide",
    # Self-hosted WordPress themes.
    "Your email address will not be published",
    "Required fields are marked",
    "This entry was posted in",
    "Bookmark the permalink",
    "Cancel reply",
    # Blogger, Drupal, news sites.
    "Post a Comment",
    "Subscribe to: Post Comments",
    "BlogThis!",
    "Log in or register to post comments",
    "Add new comment",
    "Style: MLA APA Chicago",
    "CFR seeks to foster civil and informed discussion",
    "Sign up for our newsletter",
)
