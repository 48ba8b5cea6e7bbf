"""Signs in to a running Tandem as one account and prints the headers an API client sends:
the session cookie, the CSRF token of GET /api/v1/session, and the Origin. Used by
scripts/api-properties; standard library only."""

import http.client
import json
import re
import sys
import urllib.parse


def cookies(response):
    """name=value of each Set-Cookie header."""
    return [h.split(";", 1)[0] for k, h in response.getheaders() if k.lower() == "set-cookie"]


def main():
    base, email, password = sys.argv[1:4]
    url = urllib.parse.urlsplit(base)
    origin = f"{url.scheme}://{url.netloc}"
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request("GET", "/sign-in")
    page = conn.getresponse()
    body = page.read().decode()
    jar = cookies(page)
    token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
    conn.request(
        "POST",
        "/sign-in",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(jar),
            "Origin": origin,
        },
    )
    signed = conn.getresponse()
    signed.read()
    session = [c for c in cookies(signed) if "tandem_session=" in c and not c.endswith("=")]
    if signed.status != 303 or not session:
        sys.exit(f"sign-in failed: {signed.status}")
    conn.request("GET", "/api/v1/session", headers={"Cookie": session[0]})
    about = conn.getresponse()
    csrf = json.loads(about.read())["csrf_token"]
    print(f"Cookie: {session[0]}")
    print(f"X-CSRF-Token: {csrf}")
    print(f"Origin: {origin}")


if __name__ == "__main__":
    main()
