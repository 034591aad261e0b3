"""Request headers of the kinds of visitors a beacon meets."""

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
BROWSERS = [FIREFOX, CHROME, SAFARI_IPHONE]
BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
    "+https://openai.com/gptbot)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/131.0.0.0 Safari/537.36",
    "",
]
# Headers browsers send when fetching a page the reader has not asked to see (yet).
PREFETCHES = [
    {"HTTP_SEC_PURPOSE": "prefetch"},
    {"HTTP_SEC_PURPOSE": "prefetch;prerender"},
    {"HTTP_PURPOSE": "prefetch"},
    {"HTTP_X_PURPOSE": "preview"},
    {"HTTP_X_MOZ": "prefetch"},
]


def reader(number: int, user_agent: str = FIREFOX, **headers) -> dict[str, str]:
    """WSGI headers of reader ``number``: their own address, a browser, a script's fetch."""
    address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
    return {
        "REMOTE_ADDR": address,
        "HTTP_USER_AGENT": user_agent,
        "HTTP_SEC_FETCH_DEST": "empty",
        "HTTP_SEC_FETCH_SITE": "same-origin",
        **headers,
    }
