"""The approval step: editors submit, reviewers (or owners) approve or send back."""

from __future__ import annotations

from application.publishing.commands import ApprovePost, RequestChanges, SubmitForReview
from application.shared.loading import change
from application.shared.ports import EventStore
from application.shared.results import Saved
from domain.publishing.post import Post
from domain.shared.roles import Permission


class SubmitForReviewHandler:
    def __init__(self, store: EventStore) -> None:
        self.store = store

    async def __call__(self, cmd: SubmitForReview) -> Saved:
        cmd.actor.require(Permission.EDIT_CONTENT)
        return await change(self.store, cmd.actor, Post, cmd.post_id, "post", lambda post: post.submit_for_review(by=cmd.actor.user_id))


class ApprovePostHandler:
    def __init__(self, store: EventStore) -> None:
        self.store = store

    async def __call__(self, cmd: ApprovePost) -> Saved:
        cmd.actor.require(Permission.REVIEW)
        return await change(self.store, cmd.actor, Post, cmd.post_id, "post", lambda post: post.approve(by=cmd.actor.user_id, note=cmd.note))


class RequestChangesHandler:
    def __init__(self, store: EventStore) -> None:
        self.store = store

    async def __call__(self, cmd: RequestChanges) -> Saved:
        cmd.actor.require(Permission.REVIEW)
        return await change(self.store, cmd.actor, Post, cmd.post_id, "post", lambda post: post.request_changes(by=cmd.actor.user_id, note=cmd.note))
