"""Strategy packs from the two council reports, loaded and re-loaded."""

import pytest
from django.core.management import CommandError, call_command

from hub.strategy.models import Element, Strategy
from hub.strategy.services import PackError, strategy_load_pack


def _names(strategy, kind):
    return list(strategy.elements.filter(kind=kind).values_list("name", flat=True))


def test_it_loads_the_chesterfield_approach_as_the_report_gives_it(db):
    result = strategy_load_pack(name="chesterfield-2020")
    strategy = result.strategy
    assert strategy.is_active
    assert _names(strategy, Element.Kind.PRIORITY) == [
        "Partnership and collaboration",
        "Social connectedness",
        "Young people",
        "Carbon reduction",
    ]
    assert _names(strategy, Element.Kind.THEME) == [
        "Community wellbeing",
        "Economy and skills",
        "Sustainability and environment",
    ]
    assert _names(strategy, Element.Kind.IMPACT_AREA) == [
        "Material insecurity",
        "Population mental health and wellbeing",
        "Social connectedness",
    ]
    assert len(_names(strategy, Element.Kind.ENABLER)) == 7
    assert result.created == 17
    assert all(e.description for e in strategy.elements.all())


def test_it_loads_the_five_hammersmith_and_fulham_priorities(db):
    strategy = strategy_load_pack(name="hammersmith-fulham-2020").strategy
    assert _names(strategy, Element.Kind.PRIORITY) == [
        "Building shared prosperity",
        "Creating a compassionate council",
        "Doing things with residents, not to them",
        "Being ruthlessly financially efficient",
        "Taking pride in H&F",
    ]


def test_loading_again_adds_nothing_and_keeps_one_active_strategy(db):
    strategy_load_pack(name="chesterfield-2020")
    again = strategy_load_pack(name="chesterfield-2020")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 17)
    strategy_load_pack(name="hammersmith-fulham-2020")
    assert Strategy.objects.filter(is_active=True).get().slug == "hammersmith-fulham-2020"
    assert Element.objects.count() == 22


def test_the_command_reports_what_it_did_and_refuses_an_unknown_pack(db, capsys):
    call_command("load_strategy", "chesterfield-2020")
    assert "17 added" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No strategy pack called 'nowhere'"):
        call_command("load_strategy", "nowhere")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("priority: [unclosed", "cannot be read as YAML"),
        ("- just a list", "expected a mapping"),
        ("slug: x\n", "'name' is missing"),
        ("slug: x\nname: X\npriority: lots", "'priority' must be a list"),
        ("slug: x\nname: X\nenabler:\n  - description: no name", "enabler number 1 has no name"),
    ],
)
def test_it_refuses_a_malformed_pack_and_changes_nothing(db, tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(PackError, match=message):
        strategy_load_pack(name="bad", path=path)
    assert not Strategy.objects.exists()
