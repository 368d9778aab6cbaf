"""Company records shaped like the generated ``CompanyFields`` fragment, from recorded answers.

Transcript 30 recorded a 61-record createCompanies answer selecting only ``id name``; transcript
08 recorded the full shape of a created company. A record here is the recorded id and name of 30
with every other field as Twenty answers it for a fresh record (08), plus the fields 08 did not
select, with the values Twenty gives a record created through the API.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.runtime.replay import transcript

_EMPTY_LINKS = {"primaryLinkUrl": "", "primaryLinkLabel": "", "secondaryLinks": []}


def _template() -> dict[str, Any]:
    record: dict[str, Any] = copy.deepcopy(transcript(8)["response"]["data"]["createCompanies"][0])
    record["address"].update(
        {
            "addressLat": None,
            "addressLng": None,
            "addressPostcode": "",
            "addressState": "",
            "addressStreet1": "",
            "addressStreet2": "",
        }
    )
    record["createdBy"]["context"] = {}
    record["updatedBy"] = copy.deepcopy(record["createdBy"])
    record["accountOwnerId"] = None
    record["introVideo"] = dict(_EMPTY_LINKS)
    record["linkedinLink"] = dict(_EMPTY_LINKS)
    record["visaSponsorship"] = False
    record["workPolicy"] = []
    return record


def recorded_companies(count: int = 60) -> list[dict[str, Any]]:
    """``count`` (at most 61) complete company records."""
    recorded = transcript(30)["response"]["data"]["createCompanies"]
    template = _template()
    out = []
    for i, short in enumerate(recorded[:count]):
        record = copy.deepcopy(template)
        record.update(short)
        record["domainName"]["primaryLinkUrl"] = f"https://batch61-{i:03d}.example"
        record["position"] = float(i)
        out.append(record)
    return out
