"""Reading responses in tests: the exports stream, so they have no ``content`` to parse."""

import json


def streamed_json(response):
    """The JSON document of a response, streamed (an export) or not."""
    if response.streaming:
        return json.loads(b"".join(response.streaming_content))
    return response.json()
