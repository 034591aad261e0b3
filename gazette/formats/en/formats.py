"""Date formats of the English locale, with the zone named on every date and time: the admin
shows times in the editor's or the newsroom's zone (core.newsroom_time) beside reader pages in
the newsroom's, so a bare "13:26" would be ambiguous. "T" is the zone's abbreviation (BST,
CET, UTC) at that moment; Wagtail's tooltips, status panels and listings use these."""

DATETIME_FORMAT = "N j, Y, H:i T"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
