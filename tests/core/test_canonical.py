from django.http import QueryDict

from gazette.core.canonical import canonical_query


def test_only_the_parameters_read_in_their_order():
    query = QueryDict("utm_source=mail&page=2&q=korea&fbclid=x&section=world")
    assert canonical_query(query, parameters=("q", "section", "page")) == (
        "q=korea&section=world&page=2"
    )


def test_first_value_of_a_repeated_parameter_and_no_empty_ones():
    # nginx's $arg_q is the first q; an empty parameter is no parameter.
    query = QueryDict("q=first&q=second&section=&page=3")
    assert canonical_query(query, parameters=("q", "section", "page")) == "q=first&page=3"


def test_replace_sets_or_drops_a_value():
    query = QueryDict("page=3&page_size=20&section=world")
    parameters = ("page", "page_size", "section")
    assert canonical_query(query, parameters=parameters, replace={"page": 4}) == (
        "page=4&page_size=20&section=world"
    )
    assert canonical_query(query, parameters=parameters, replace={"page": None}) == (
        "page_size=20&section=world"
    )


def test_values_are_encoded():
    query = QueryDict("q=%3Cscript%3E+%26+%C3%A9")
    assert canonical_query(query, parameters=("q",)) == "q=%3Cscript%3E+%26+%C3%A9"
