"""Read-your-writes across services through the gateway: a cooperative or member created in
the members service is visible to the transactions service on the very next call, because the
gateway sends the newest members sequence it has seen (after_members_seq) with it."""
import datetime
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from gateway_util import coop_body  # noqa: E402
from members_util import nik  # noqa: E402



def test_a_new_cooperative_and_member_are_visible_to_transactions_at_once(cluster):
    for i in range(20):
        coop = cluster.api("POST", "/api/v1/cooperatives", coop_body("Koperasi Segar %d" % i))
        assert coop.status == 201, coop
        cid = coop.json["id"]
        accounts = cluster.api("GET", "/api/v1/cooperatives/%s/accounts" % cid)
        assert accounts.status == 200 and accounts.json["items"], accounts
        member = cluster.api("POST", "/api/v1/cooperatives/%s/members" % cid,
                             {"nik": nik(datetime.date(1988, 8, 8), True, 500 + i), "name": "Rina",
                              "sex": "female", "birth_date": "1988-08-08", "joined_on": "2024-01-02"})
        assert member.status == 201, member
        held = cluster.api("GET", "/api/v1/cooperatives/%s/members/%s/accounts" % (cid, member.json["id"]))
        assert held.status == 200, held
