"""Per-platform text rules: counting, checks and the JSON export for the UI."""

import json
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.shared.platforms import (
    Platform,
    RuleViolation,
    TextRules,
    check_text,
    count_hashtags,
    count_length,
    rules_as_json,
    rules_for,
)

FAMILY = "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"  # 👨‍👩‍👧‍👦, 25 UTF-8 bytes
LONG_URL = "https://example.com/" + "a" * 100
PROPS = settings(max_examples=60, deadline=None, database=None)


def rules_of(violations: list[RuleViolation]) -> list[str]:
    return [v.rule for v in violations]


# --- rules_for -----------------------------------------------------------------------

def test_rules_for_accepts_enum_and_name():
    assert rules_for(Platform.X) is rules_for("x") is rules_for(" X ")
    assert isinstance(rules_for("bluesky"), TextRules)


def test_rules_for_unknown_platform_names_valid_ones():
    with pytest.raises(ValueError, match="mastodon, bluesky, x, facebook"):
        rules_for("myspace")


@pytest.mark.parametrize(
    ("platform", "limit", "name"),
    [
        (Platform.MASTODON, 500, "Mastodon"),
        (Platform.BLUESKY, 300, "Bluesky"),
        (Platform.X, 280, "X"),
        (Platform.FACEBOOK, 63206, "Facebook"),
        (Platform.INSTAGRAM, 2200, "Instagram"),
        (Platform.LINKEDIN, 3000, "LinkedIn"),
        (Platform.THREADS, 500, "Threads"),
    ],
)
def test_documented_limits(platform, limit, name):
    rules = rules_for(platform)
    assert (rules.max_length, rules.display_name, rules.platform) == (limit, name, platform)


def test_media_and_thread_rules():
    assert rules_for("instagram").requires_media
    assert rules_for("instagram").max_hashtags == 30
    assert {p for p in Platform if rules_for(p).supports_threads} == {
        Platform.MASTODON, Platform.BLUESKY, Platform.X, Platform.THREADS}
    assert [rules_for(p).max_media for p in ("mastodon", "bluesky", "x")] == [4, 4, 4]
    assert rules_for("bluesky").max_bytes == 3000


# --- counting: examples --------------------------------------------------------------

def test_x_long_url_counts_23():
    assert count_length("x", LONG_URL) == 23
    assert count_length("x", "see " + LONG_URL) == 27


def test_x_weights_emoji_and_cjk_as_two():
    assert count_length("x", "abc") == 3
    assert count_length("x", "日本語") == 6
    assert count_length("x", FAMILY) == 2


def test_x_nfd_accent_counts_like_nfc():
    assert count_length("x", "cafe\u0301") == count_length("x", "caf\u00e9") == 4


def test_bluesky_family_emoji_is_one_grapheme():
    assert count_length("bluesky", FAMILY) == 1
    assert count_length("bluesky", "e\u0301") == 1  # combining accent
    assert count_length("bluesky", "\U0001F1EB\U0001F1F7") == 1  # flag


def test_bluesky_urls_count_as_written():
    assert count_length("bluesky", LONG_URL) == len(LONG_URL)


def test_mastodon_url_counts_23():
    assert count_length("mastodon", LONG_URL) == 23
    assert count_length("mastodon", "read " + LONG_URL + " now") == 5 + 23 + 4


def test_mastodon_url_needs_protocol():
    assert count_length("mastodon", "example.com") == len("example.com")


def test_mastodon_remote_mention_counts_username_only():
    assert count_length("mastodon", "@alice@mastodon.social hi") == len("@alice hi")
    assert count_length("mastodon", "@alice hi") == len("@alice hi")


def test_mastodon_counts_graphemes_and_blank_as_zero():
    assert count_length("mastodon", FAMILY + "e\u0301") == 2
    assert count_length("mastodon", "   \n") == 0


def test_threads_emoji_count_their_utf8_bytes():
    assert count_length("threads", "hi") == 2
    assert count_length("threads", "\U0001F600") == 4
    assert count_length("threads", FAMILY) == 25
    assert count_length("threads", "\u2764\ufe0f") == 6
    assert count_length("threads", "日本") == 2  # non-emoji count as characters


@pytest.mark.parametrize("platform", ["facebook", "instagram", "linkedin"])
def test_plain_character_platforms(platform):
    assert count_length(platform, "caf\u00e9 " + LONG_URL) == 5 + len(LONG_URL)


def test_count_hashtags():
    assert count_hashtags("#one #two #three") == 3
    assert count_hashtags("#café and ＃全角") == 2
    assert count_hashtags("#1 a#b https://example.com/#frag &#39; #\ufe0f\u20e3") == 0
    assert count_hashtags("#dup #dup") == 2


# --- check_text: examples ------------------------------------------------------------

def test_check_text_accepts_a_valid_post():
    assert check_text("x", "Hello world") == []


def test_text_too_long_message_is_actionable():
    [violation] = check_text("bluesky", "a" * 312)
    assert violation == RuleViolation(
        "text_too_long", "Text is 312 of 300 characters on Bluesky; shorten it by 12.")


def test_x_message_explains_weighting():
    [violation] = check_text("x", "日" * 141)
    assert violation.rule == "text_too_long"
    assert "282 of 280" in violation.message and "X" in violation.message
    assert "shorten it by 2" in violation.message


def test_max_length_override():
    text = "a" * 600
    assert rules_of(check_text("mastodon", text)) == ["text_too_long"]
    assert check_text("mastodon", text, max_length=5000) == []
    [violation] = check_text("mastodon", "a" * 20, max_length=10)
    assert "20 of 10" in violation.message and "Mastodon" in violation.message


def test_max_length_and_media_count_are_validated():
    with pytest.raises(ValueError):
        check_text("x", "hi", max_length=0)
    with pytest.raises(ValueError):
        check_text("x", "hi", media_count=-1)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_without_media(text):
    [violation] = check_text("mastodon", text)
    assert violation.rule == "text_empty" and "Mastodon" in violation.message


def test_empty_text_with_media_is_fine():
    assert check_text("mastodon", "", media_count=1) == []


def test_instagram_requires_media():
    assert rules_of(check_text("instagram", "caption")) == ["media_required"]
    assert check_text("instagram", "caption", media_count=1) == []
    assert check_text("instagram", "", media_count=1) == []


def test_instagram_hashtag_limit():
    ok = " ".join(f"#tag{i}" for i in range(30))
    assert check_text("instagram", ok, media_count=1) == []
    [violation] = check_text("instagram", ok + " #extra #more", media_count=1)
    assert violation.rule == "too_many_hashtags"
    assert "32 of 30" in violation.message and "remove 2 hashtags" in violation.message


def test_too_many_media():
    [violation] = check_text("x", "hi", media_count=5)
    assert violation.rule == "too_many_media" and "remove 1" in violation.message
    assert check_text("facebook", "hi", media_count=50) == []  # no documented cap


def test_bluesky_byte_cap():
    text = FAMILY * 150  # 150 graphemes, 3750 bytes
    assert rules_of(check_text("bluesky", text)) == ["text_too_many_bytes"]


# --- properties ----------------------------------------------------------------------

platforms = st.sampled_from(list(Platform))
any_text = st.text(max_size=120)
# "Plain" text: no URL, mention, hashtag or ZWJ sequence can form or grow when appended.
PLAIN_PIECES = [*"abcXYZ019 ,!?\n", "\u00e9", "e\u0301", "\u0301", "日", "한", "\U0001F600",
                "\u2764\ufe0f"]
plain_text = st.lists(st.sampled_from(PLAIN_PIECES), max_size=40).map("".join)


@PROPS
@given(platforms, any_text)
def test_counts_are_non_negative(platform, text):
    assert count_length(platform, text) >= 0


@PROPS
@given(platforms, plain_text, plain_text)
def test_appending_never_decreases_count(platform, head, tail):
    assert count_length(platform, head + tail) >= count_length(platform, head)


@PROPS
@given(any_text)
def test_bluesky_count_at_most_code_points(text):
    assert count_length("bluesky", text) <= len(text)


@PROPS
@given(any_text)
def test_x_nfc_and_nfd_count_equal(text):
    nfc, nfd = unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text)
    assert count_length("x", nfc) == count_length("x", nfd)


@PROPS
@given(platforms, st.text(min_size=1, max_size=80), st.integers(min_value=1, max_value=90))
def test_too_long_reported_iff_count_exceeds_limit(platform, text, limit):
    rules = rules_of(check_text(platform, text, media_count=1, max_length=limit))
    assert ("text_too_long" in rules) == (count_length(platform, text) > limit)


def test_rules_json_round_trips_and_covers_every_platform():
    exported = rules_as_json()
    assert json.loads(json.dumps(exported)) == exported
    assert exported["version"] == 1
    assert set(exported["platforms"]) == {p.value for p in Platform}
    for platform in Platform:
        entry = exported["platforms"][platform.value]
        rules = rules_for(platform)
        for field in ("display_name", "max_length", "counting", "url_length", "max_hashtags",
                      "requires_media", "max_media", "supports_threads", "max_bytes"):
            assert entry[field] == getattr(rules, field)
        assert entry["counting_description"]


def test_rules_json_carries_the_image_limits_publishing_fits_to():
    platforms = rules_as_json()["platforms"]
    assert platforms["bluesky"]["images"] == {"max_bytes": 1_000_000, "max_side": 2000, "max_pixels": None, "max_alt": None}
    assert platforms["x"]["images"]["max_bytes"] == 5_000_000 and platforms["x"]["images"]["max_alt"] == 1000
    assert platforms["mastodon"]["images"]["max_alt"] == 1500
    assert platforms["facebook"]["images"] is None
