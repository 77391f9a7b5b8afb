"""Who reads: ``--as`` on the commands that read a village's data (the web login later).

Reading without ``--as`` keeps today's behaviour (the access checks of read commands are
their own piece of work); with it, the user must exist and the village must be in their
scope, and lists are narrowed to it.
"""

from __future__ import annotations

from huanjie.service.context import Actor, Context
from huanjie.service.roles import covers, require
from huanjie.service.users import resolve_actor
from huanjie.store.db import reading


def reader(ctx: Context, actor_name: str | None, *, village_code: str | None = None,
           campaign_code: str | None = None) -> Actor | None:
    """The named reader (None if no name was given), checked against the village's scope."""
    if actor_name is None:
        return None
    from huanjie.service.villages import find_village
    from huanjie.store.models import Township

    with reading(ctx.engine) as session:
        actor = resolve_actor(session, actor_name)
        if village_code is not None:
            campaign, village = find_village(session, village_code, campaign_code)
            township = session.get(Township, village.township_id)
            require(covers(actor, township.name, village.code, campaign.county),
                    f"村 {village_code} 不在 {actor.name} 的负责范围内", f"{actor.name} 的范围：{actor.scope or '全县'}")
    return actor


def in_scope(actor: Actor | None, township: str, village_code: str, county: str) -> bool:
    return actor is None or covers(actor, township, village_code, county)
