"""How the site search reads a query: German stems and the trailing wildcard (aqb_content.search)."""

import pytest

from aqb_content.search import Term, german_stem, matches_text, number_digits, parse


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("Teilnehmer", "teilnehm"),
        ("Teilnehmende", "teilnehm"),
        ("Teilnehmerinnen", "teilnehmer"),
        ("Vorlage", "vorlag"),
        ("Vorlagen", "vorlag"),
        ("Frist", "frist"),
        ("4092", "4092"),
    ],
)
def test_german_stem_cuts_one_ending_and_keeps_short_words_and_numbers(word, stem):
    assert german_stem(word) == stem


def test_parse_takes_a_trailing_star_as_a_prefix_and_splits_at_hyphens():
    assert parse("Teilnehm* 106-4092") == [
        Term(word="Teilnehm", prefix="teilnehm"),
        Term(word="106", prefix="106"),
        Term(word="4092", prefix="4092"),
    ]


def test_parse_ignores_punctuation_only_queries():
    assert parse("* -- !") == []


def test_matches_text_needs_every_term():
    assert matches_text(parse("Vorlage Excel"), "Teilnehmenden-Vorlage (Excel)")
    assert not matches_text(parse("Vorlage Word"), "Teilnehmenden-Vorlage (Excel)")


@pytest.mark.parametrize(
    ("query", "digits"),
    [("0561 106-4092", "05611064092"), ("0561/106-4092", "05611064092"), ("4092", "4092"), ("12", ""), ("AQB26", "")],
)
def test_number_digits_reads_phone_numbers_only(query, digits):
    assert number_digits(query) == digits
