"""One generic, indexed tagging mechanism for any record of any app."""

from hub.organisations.models import Organisation
from hub.strategy.selectors import filter_tagged, tag_counts, tags_for
from hub.strategy.services import strategy_load_pack, tags_set


def _element(strategy, name):
    return strategy.elements.get(name=name)


def test_it_tags_any_record_and_filters_and_counts_by_element(partner, outsider_org, council):
    strategy = strategy_load_pack(name="chesterfield-2020").strategy
    young = _element(strategy, "Young people")
    social = strategy.elements.get(kind="priority", name="Social connectedness")
    tags_set(obj=partner, elements=[social])
    tags_set(obj=outsider_org, elements=[young, social])

    assert list(tags_for(outsider_org)) == [social, young]
    assert list(filter_tagged(Organisation.objects.all(), young)) == [outsider_org]
    assert set(filter_tagged(Organisation.objects.all(), social)) == {partner, outsider_org}
    assert tag_counts(Organisation) == {social.pk: 2, young.pk: 1}


def test_setting_tags_again_replaces_them_without_duplicates(partner):
    strategy = strategy_load_pack(name="chesterfield-2020").strategy
    young = _element(strategy, "Young people")
    carbon = _element(strategy, "Carbon reduction")
    tags_set(obj=partner, elements=[young])
    tags_set(obj=partner, elements=[young, carbon])
    tags_set(obj=partner, elements=[carbon])
    assert list(tags_for(partner)) == [carbon]


def test_filtering_by_tag_is_one_query(partner, django_assert_num_queries):
    strategy = strategy_load_pack(name="chesterfield-2020").strategy
    young = _element(strategy, "Young people")
    tags_set(obj=partner, elements=[young])
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_model(Organisation)  # warm the content type cache
    with django_assert_num_queries(1):
        assert list(filter_tagged(Organisation.objects.all(), young)) == [partner]
