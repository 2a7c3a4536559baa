"""Captions: banned words, UTM links and the deterministic fallback that makes a caption pass."""

import pytest
import regex
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from domain.captions import (
    Fitted,
    add_utm,
    brief_fallback_text,
    caption_violations,
    fit_caption,
    has_link,
    tag_link,
)
from domain.shared.errors import InvalidValue
from domain.shared.platforms import Platform, RuleViolation, check_text, count_hashtags, count_length, rules_for

FAMILY = "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"  # 👨‍👩‍👧‍👦: 1 grapheme, 7 code points
LINK = "https://example.com/launch?utm_source=x"
LONG_LINK = "https://example.com/" + "p" * 400
PROPS = settings(max_examples=60, deadline=None, database=None)
GRAPHEME = regex.compile(r"\X")
URL = regex.compile(r"https?://\S+", regex.IGNORECASE)


def rules_of(violations: list[RuleViolation]) -> list[str]:
    return [v.rule for v in violations]


def passes(platform, text, *, banned_words=(), max_length=None, media_count=None) -> bool:
    if media_count is None:
        media_count = 1 if rules_for(platform).requires_media else 0
    return caption_violations(platform, text, banned_words=banned_words, media_count=media_count,
                              max_length=max_length) == []


def sentences(n: int, words: int = 8) -> str:
    return " ".join(f"Sentence {i} " + " ".join(["word"] * words) + "." for i in range(n))


# --- caption_violations --------------------------------------------------------------

def test_without_banned_words_it_reports_what_check_text_reports():
    text = "a" * 300
    assert caption_violations("x", text) == check_text("x", text)
    assert caption_violations("instagram", "hi") == check_text("instagram", "hi")


def test_banned_word_message_says_what_to_change():
    assert caption_violations("x", "So cheap!", banned_words=["cheap"]) == [
        RuleViolation("banned_word", "The caption uses the banned word 'cheap'; remove it.")]


@pytest.mark.parametrize("text", ["Cheap!", "CHEAP", "so cheap.", "(cheap)", "cheap\nstuff", "#cheap", "@cheap"])
def test_banned_word_matches_whole_words_in_any_case(text):
    assert rules_of(caption_violations("mastodon", text, banned_words=["cheap"])) == ["banned_word"]


@pytest.mark.parametrize("text", ["cheapest", "cheapcheap", "#cheapflights", "uncheap", "cheap_x", "cheap1"])
def test_banned_word_inside_a_longer_word_is_not_used(text):
    assert caption_violations("mastodon", text, banned_words=["cheap"]) == []


def test_banned_phrase_matches_across_whitespace_and_case():
    for text in ("Free money!", "free  money", "FREE\nMONEY today"):
        [violation] = caption_violations("x", text, banned_words=["free money"])
        assert violation.message == "The caption uses the banned phrase 'free money'; remove it."
    assert caption_violations("x", "free moneys", banned_words=["free money"]) == []


@pytest.mark.parametrize(("banned", "hit", "miss"), [
    ("c++", "I love c++!", "c++11 is old"),
    ("(sale)", "big (sale) now", "big (sales) now"),
    ("$$$", "make $$$ fast", "make$$$fast"),
    ("a.b", "see a.b now", "see axb now"),
    ("[x]", "a [x] b", "a [y] b"),
])
def test_banned_words_with_regex_metacharacters_match_literally(banned, hit, miss):
    assert rules_of(caption_violations("x", hit, banned_words=[banned])) == ["banned_word"]
    assert caption_violations("x", miss, banned_words=[banned]) == []


def test_each_banned_word_is_named_once_in_the_order_given():
    violations = caption_violations("x", "cheap, CHEAP, free money", banned_words=["free money", "cheap", "Cheap", " ", ""])
    assert [v.message.split("'")[1] for v in violations] == ["free money", "cheap"]


def test_a_single_banned_word_may_be_given_as_a_string():
    assert rules_of(caption_violations("x", "so cheap", banned_words="cheap")) == ["banned_word"]


def test_banned_words_match_beyond_ascii():
    assert rules_of(caption_violations("x", "Un CAFÉ, s'il vous plaît", banned_words=["café"])) == ["banned_word"]
    assert caption_violations("x", "cafe\u0301s", banned_words=["cafe"]) == []  # the accent is part of the word


def test_banned_words_inside_links_do_not_count():
    assert caption_violations("x", "Read https://example.com/cheap-deals now", banned_words=["cheap"]) == []


def test_platform_violations_come_first():
    assert rules_of(caption_violations("x", "cheap " + "a" * 300, banned_words=["cheap"])) == ["text_too_long", "banned_word"]


# --- links ---------------------------------------------------------------------------

def test_add_utm_appends_parameters():
    assert add_utm("https://example.com/page", {"utm_source": "x", "utm_medium": "social"}) == (
        "https://example.com/page?utm_source=x&utm_medium=social")


def test_add_utm_keeps_existing_parameters_their_order_and_the_fragment():
    url = "https://example.com/p?b=2&utm_source=news&a=1#top"
    assert add_utm(url, {"utm_source": "x", "utm_campaign": "spring sale"}) == (
        "https://example.com/p?b=2&utm_source=news&a=1&utm_campaign=spring+sale#top")


def test_add_utm_returns_the_url_when_it_has_every_parameter():
    url = "http://example.com/?utm_source=&utm_medium=email"
    assert add_utm(url, {"utm_source": "x", "utm_medium": "social"}) == url
    assert add_utm(url, {}) == url


@pytest.mark.parametrize("url", ["ftp://example.com/a", "example.com/page", "https://", "mailto:a@example.com"])
def test_add_utm_refuses_non_http_links(url):
    with pytest.raises(InvalidValue, match="http"):
        add_utm(url, {"utm_source": "x"})


def test_tag_link_replaces_every_whole_occurrence():
    text = "See https://x.com/a. Again (https://x.com/a), not https://x.com/abc or https://x.com/a/b."
    tagged = "https://x.com/a?utm_source=x"
    assert tag_link(text, "https://x.com/a", tagged) == (
        f"See {tagged}. Again ({tagged}), not https://x.com/abc or https://x.com/a/b.")


def test_tag_link_is_idempotent_and_leaves_text_without_the_link_alone():
    tagged = "https://x.com/a?utm_source=x"
    once = tag_link("Go https://x.com/a", "https://x.com/a", tagged)
    assert tag_link(once, "https://x.com/a", tagged) == once == f"Go {tagged}"
    assert tag_link("no link here", "https://x.com/a", tagged) == "no link here"


def test_tag_link_takes_the_tagged_link_literally():
    assert tag_link("go https://x.com", "https://x.com", r"https://x.com/?q=\1") == r"go https://x.com/?q=\1"


def test_has_link_matches_the_whole_link():
    assert has_link("go https://x.com/a!", "https://x.com/a")
    assert not has_link("go https://x.com/abc", "https://x.com/a")
    assert not has_link("go xhttps://x.com/a", "https://x.com/a")


# --- fit_caption: examples -----------------------------------------------------------

def test_a_passing_caption_comes_back_unchanged():
    text = "  Launch  day ,  see " + LINK + " #launch  "
    assert fit_caption("x", text, link=LINK, banned_words=["cheap"]) == Fitted(text, ())


def test_fitted_is_frozen():
    with pytest.raises(AttributeError):
        fit_caption("x", "hi").text = "changed"  # type: ignore[misc]


def test_banned_words_are_removed_and_the_text_tidied():
    fitted = fit_caption("x", "Cheap! Get it now , cheap and fast. #cheap #deal", banned_words=["cheap"])
    assert fitted == Fitted("Get it now, and fast. #deal", ("removed the banned word 'cheap'",))


def test_banned_phrases_and_words_are_all_named():
    fitted = fit_caption("x", "Free money and cheap deals today.", banned_words=["cheap", "free money", "unused"])
    assert fitted == Fitted("and deals today.", ("removed the banned word 'cheap'", "removed the banned phrase 'free money'"))


def test_removal_repeats_until_no_banned_word_is_left():
    # Removing "x" leaves "a  b", tidied into "a b": the banned phrase appears only then.
    banned = ["x", "a b"]
    fitted = fit_caption("x", "say a x b now", banned_words=banned)
    assert fitted.text == "say now"
    assert passes("x", fitted.text, banned_words=banned)


def test_removing_a_banned_word_keeps_punctuation_off_a_link():
    fitted = fit_caption("x", f"Read {LINK} cheap, today", banned_words=["cheap"], link=LINK)
    assert fitted.text == f"Read {LINK} , today"
    assert has_link(fitted.text, LINK)


def test_a_caption_of_banned_words_only_becomes_the_link_or_a_placeholder():
    assert fit_caption("x", "Cheap! CHEAP.", banned_words=["cheap"], link=LINK).text == LINK
    fitted = fit_caption("x", "Cheap! CHEAP.", banned_words=["cheap"])
    assert fitted == Fitted("…", ("removed the banned word 'cheap'",
                                  "nothing of the text could be kept, so the caption is the placeholder '…'"))


def test_blank_text_is_never_handed_back():
    assert fit_caption("mastodon", "   ").text == "…"
    assert fit_caption("mastodon", "", link=LINK) == Fitted(LINK, (f"added the link {LINK}",))


def test_placeholder_fits_even_a_tiny_limit():
    assert fit_caption("x", "日本語", max_length=1).text == "."


def test_missing_link_is_appended():
    assert fit_caption("x", "Launch day!", link=LINK) == Fitted(f"Launch day! {LINK}", (f"added the link {LINK}",))


def test_link_is_kept_when_the_text_is_shortened():
    fitted = fit_caption("x", sentences(10), link=LINK)
    assert fitted.text.endswith(" " + LINK)
    assert passes("x", fitted.text)
    assert count_length("x", fitted.text) > 280 - 60  # shortened, not emptied


def test_link_in_the_middle_that_the_cut_loses_is_appended():
    text = sentences(1) + f" Read {LINK} now. " + sentences(10)
    fitted = fit_caption("x", text, link=LINK, max_length=80)
    assert fitted.text == f"{sentences(1)} {LINK}"


def test_link_alone_is_kept_when_nothing_else_fits():
    limit = count_length("bluesky", LINK)
    text = "Some words before the link."
    fitted = fit_caption("bluesky", text, link=LINK, max_length=limit)
    assert fitted.text == LINK
    assert fitted.changes == (f"shortened from {len(text) + 1 + limit} to {limit} characters by leaving out the text, "
                              "as only the link fits", f"added the link {LINK}")


def test_link_that_cannot_fit_on_its_own_is_left_out():
    fitted = fit_caption("bluesky", "Launch day!", link=LONG_LINK)
    assert fitted.text == "Launch day!"
    assert fitted.changes == (f"left out the link {LONG_LINK}, as it does not fit on Bluesky",)


def test_whole_sentences_are_kept_in_preference_to_a_word_cut():
    text = "Short one. Second sentence here. " + "Third is much longer " * 20
    fitted = fit_caption("mastodon", text, max_length=40)
    assert fitted.text == "Short one. Second sentence here."
    assert fitted.changes == (f"shortened from {count_length('mastodon', text.strip())} to 32 characters "
                              "at a sentence boundary",)


def test_sentence_change_message_uses_the_platform_count():
    text = "日本語の文。" * 100  # X weighs each CJK character 2
    fitted = fit_caption("x", text)
    assert fitted.text == "日本語の文。" * 23
    assert fitted.changes == ("shortened from 1200 to 276 characters at a sentence boundary",)


def test_a_first_sentence_too_long_is_cut_at_a_word_boundary_with_an_ellipsis():
    text = "This first sentence goes on and on, " * 20 + "then ends."
    fitted = fit_caption("mastodon", text, max_length=50)
    assert fitted.text == "This first sentence goes on and on, This first…"
    assert fitted.changes == (f"shortened from {len(text)} to 47 characters at a word boundary",)


def test_a_very_long_word_is_cut_between_grapheme_clusters():
    text = FAMILY * 200
    for platform, limit in (("x", 280), ("bluesky", 300), ("threads", 500), ("facebook", 100)):
        fitted = fit_caption(platform, text, max_length=limit)
        assert fitted.text.endswith("…") and passes(platform, fitted.text, max_length=limit)
        assert set(GRAPHEME.findall(fitted.text[:-1])) == {FAMILY}
        assert fitted.changes[0].endswith("inside a word")


def test_x_measures_links_as_23_not_their_length():
    text = "a" * 250 + " " + LONG_LINK  # 651 code points, 274 on X
    assert fit_caption("x", text) == Fitted(text, ())
    assert fit_caption("mastodon", text) == Fitted(text, ())


def test_x_weighs_cjk_and_emoji():
    fitted = fit_caption("x", "日" * 200)
    assert count_length("x", fitted.text) <= 280 and len(fitted.text) <= 140


def test_bluesky_byte_cap():
    fitted = fit_caption("bluesky", (FAMILY + " ") * 150)
    assert len(fitted.text.encode()) <= 3000 and passes("bluesky", fitted.text)


def test_threads_counts_emoji_bytes():
    fitted = fit_caption("threads", "\U0001F600 " * 200)
    assert count_length("threads", fitted.text) <= 500 and passes("threads", fitted.text)


def test_max_length_overrides_the_default_limit():
    text = sentences(5)
    assert fit_caption("mastodon", text).text == text
    assert count_length("mastodon", fit_caption("mastodon", text, max_length=100).text) <= 100


def test_trailing_hashtags_that_fit_are_kept_in_order():
    body = "Launch day is here."
    tags = "#one #two #three #four"
    limit = len(body) + len(" #one #two")
    fitted = fit_caption("facebook", f"{body} {tags}", max_length=limit)
    assert fitted == Fitted(f"{body} #one #two", ("left out 2 trailing hashtags that did not fit",))


def test_a_hashtag_too_long_to_fit_is_skipped_and_later_ones_still_kept():
    text = "Launch day. #one #" + "x" * 60 + " #two"
    fitted = fit_caption("facebook", text, max_length=30)
    assert fitted.text == "Launch day. #one #two"


def test_the_body_comes_first_then_the_link_then_the_trailing_hashtags():
    body = ("Launch day! " * 10).strip()
    expected = f"{body}\n\n{LINK} #launch #app"
    fitted = fit_caption("facebook", f"{body} and more words \n\n#launch {LINK} #app", link=LINK, max_length=len(expected))
    assert fitted.text == expected


def test_instagram_drops_hashtags_over_30_from_the_end():
    tags = [f"#tag{i}" for i in range(33)]
    fitted = fit_caption("instagram", "Hello " + " ".join(tags), media_count=1)
    assert fitted == Fitted("Hello " + " ".join(tags[:30]), ("removed 3 hashtags over Instagram's limit of 30",))


def test_hashtags_in_links_are_not_hashtags_to_drop():
    text = "Hello https://x.com/#frag " + " ".join(f"#t{i}a" for i in range(31))
    fitted = fit_caption("instagram", text, media_count=1)
    assert "https://x.com/#frag" in fitted.text and count_hashtags(fitted.text) == 30


def test_hashtag_only_text_is_cut_as_a_whole_when_no_tag_fits():
    text = "#" + "a" * 400
    fitted = fit_caption("x", text)
    assert fitted.text.startswith("#aaa") and fitted.text.endswith("…") and passes("x", fitted.text)


def test_links_in_the_body_are_never_cut():
    text = "Look " + LONG_LINK + " " + "word " * 100
    fitted = fit_caption("facebook", text, max_length=200)
    assert fitted.text == "Look…"
    fitted = fit_caption("facebook", text, max_length=500)
    assert fitted.text.startswith("Look " + LONG_LINK + " word") and fitted.text.endswith("…")


def test_a_word_cut_right_after_a_link_keeps_the_ellipsis_off_it():
    text = "See " + LINK + " " + "x" * 100
    fitted = fit_caption("facebook", text, max_length=len(LINK) + 10)
    assert fitted.text == f"See {LINK} …"


def test_platform_name_may_be_a_string_and_media_rules_are_the_callers():
    text = "a" * 3000
    fitted = fit_caption("INSTAGRAM", text)  # media_required cannot be fixed by text
    assert len(fitted.text) <= 2200
    assert rules_of(caption_violations("instagram", fitted.text)) == ["media_required"]


# --- brief_fallback_text -------------------------------------------------------------

def test_brief_fallback_joins_the_parts_as_sentences():
    assert brief_fallback_text("Launch day", " Our new app  is out! ", "Download it today") == (
        "Launch day. Our new app is out! Download it today.")


def test_brief_fallback_skips_empty_and_repeated_parts():
    assert brief_fallback_text("Launch day", "", None) == "Launch day."
    assert brief_fallback_text("Launch day", "Launch day.", "  ") == "Launch day."
    assert brief_fallback_text("", None, "") == ""


# --- fit_caption: properties ---------------------------------------------------------

PIECES = [
    "Hello", "world", "launch", "Cheap", "free", "money", "day", " ", " ", " ", "  ", ".", ". ", "! ", "? ", ",",
    "\n", "\n\n", "…", "e\u0301", "\U0001F600", "\u2764\ufe0f", FAMILY, "\U0001F1EB\U0001F1F7", "日本語", "한국어",
    "。", "https://example.com/path", "https://ex.co", LONG_LINK, "#launch", "#日本", "#a1", "@alice@mastodon.social",
    "a" * 300, "日" * 200, FAMILY * 60, "x" * 40 + "\U0001F600" * 40, "#" + "b" * 290,
]
texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=30).map("".join).filter(str.strip)
links = st.none() | st.sampled_from(["https://example.com/launch?utm_source=x", "https://ex.co", LONG_LINK])
limits = st.none() | st.integers(min_value=30, max_value=700)
WORDS = regex.compile(r"\w+")


@st.composite
def cases(draw):
    platform = draw(st.sampled_from(list(Platform)))
    text = draw(texts)
    candidates = sorted(set(WORDS.findall(text)) | set(text.split()))
    banned = draw(st.lists(st.sampled_from(candidates), max_size=3)) if candidates else []
    rules = rules_for(platform)
    media_count = draw(st.integers(min_value=1 if rules.requires_media else 0, max_value=rules.max_media or 4))
    return platform, text, draw(links), banned, draw(limits), media_count


@settings(max_examples=250, deadline=None, database=None)
@given(cases())
def test_fitted_caption_always_passes(case):
    platform, text, link, banned, limit, media_count = case
    fitted = fit_caption(platform, text, link=link, banned_words=banned, max_length=limit, media_count=media_count)
    assert caption_violations(platform, fitted.text, banned_words=banned, media_count=media_count, max_length=limit) == []
    assert fitted.text.strip()


@PROPS
@given(cases())
def test_link_is_kept_whenever_it_fits_on_its_own(case):
    platform, text, link, banned, limit, media_count = case
    assume(link is not None and passes(platform, link, banned_words=banned, max_length=limit, media_count=media_count))
    fitted = fit_caption(platform, text, link=link, banned_words=banned, max_length=limit, media_count=media_count)
    assert has_link(fitted.text, link)


@PROPS
@given(cases())
def test_links_are_never_cut(case):
    platform, text, link, banned, limit, media_count = case
    fitted = fit_caption(platform, text, link=link, banned_words=banned, max_length=limit, media_count=media_count)
    assert set(URL.findall(fitted.text)) <= set(URL.findall(text)) | {link}


@PROPS
@given(cases())
def test_a_passing_caption_is_never_changed(case):
    platform, text, link, banned, limit, media_count = case
    link = link if link and has_link(text, link) else None
    assume(passes(platform, text, banned_words=banned, max_length=limit, media_count=media_count))
    assert fit_caption(platform, text, link=link, banned_words=banned, max_length=limit,
                       media_count=media_count) == Fitted(text, ())


@PROPS
@given(cases())
def test_a_changed_text_always_says_what_changed(case):
    platform, text, link, banned, limit, media_count = case
    fitted = fit_caption(platform, text, link=link, banned_words=banned, max_length=limit, media_count=media_count)
    assert fitted.text == text or fitted.changes


sentence = st.tuples(
    st.lists(st.sampled_from(["alpha", "beta", "gamma", "日本", "\U0001F600", "e\u0301"]), min_size=1, max_size=12),
    st.sampled_from(".!"),
).map(lambda parts: " ".join(parts[0]) + parts[1])
SENTENCE_END = regex.compile(r"[.!](?= |$)")


@PROPS
@given(st.sampled_from(list(Platform)), st.lists(sentence, min_size=2, max_size=12), st.integers(20, 200))
def test_whole_sentences_are_preferred_when_the_first_one_fits(platform, parts, limit):
    text = " ".join(parts)
    media_count = 1 if rules_for(platform).requires_media else 0
    assume(count_length(platform, parts[0]) <= limit)
    fitted = fit_caption(platform, text, max_length=limit, media_count=media_count)
    ends = [m.end() for m in SENTENCE_END.finditer(text)]
    assert len(fitted.text) in ends and text.startswith(fitted.text)
    longer = [end for end in ends if end > len(fitted.text)]
    assert not longer or count_length(platform, text[:longer[0]]) > limit  # the next sentence did not fit


@PROPS
@given(st.sampled_from(list(Platform)), sentence, st.lists(st.sampled_from(["#one", "#two", "#three", "#日本", "#x1"]),
                                                          min_size=1, max_size=8), st.integers(30, 120))
def test_trailing_hashtags_kept_are_in_their_original_order(platform, body, tags, limit):
    media_count = 1 if rules_for(platform).requires_media else 0
    fitted = fit_caption(platform, body + " " + " ".join(tags), max_length=limit, media_count=media_count)
    kept = [t for t in fitted.text.split() if t.startswith("#")]
    remaining = iter(tags)
    assert all(tag in remaining for tag in kept)  # a subsequence of the original tags


@PROPS
@given(st.sampled_from(list(Platform)), texts, st.data())
def test_banned_words_never_remain(platform, text, data):
    words = sorted(set(WORDS.findall(text))) or ["none"]
    banned = data.draw(st.lists(st.sampled_from(words), min_size=1, max_size=4))
    fitted = fit_caption(platform, text, banned_words=banned, media_count=1)
    assert "banned_word" not in rules_of(caption_violations(platform, fitted.text, banned_words=banned))


def test_campaign_utm_names_the_platform_and_campaign_unless_the_defaults_say_otherwise():
    from domain.captions import campaign_utm

    assert campaign_utm("x", "Spring Launch 2027!", {}) == {
        "utm_source": "x", "utm_medium": "social", "utm_campaign": "spring-launch-2027"}
    assert campaign_utm("bluesky", "Spring", {"utm_medium": "organic", "utm_content": "hero"}) == {
        "utm_source": "bluesky", "utm_medium": "organic", "utm_campaign": "spring", "utm_content": "hero"}
