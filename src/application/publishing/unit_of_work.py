"""Publishing's unit of work: the workspace's images, and read access to what a post refers to
(the workspace's channels and its approval setting)."""

from __future__ import annotations

from typing import Protocol

from application.publishing.ports import ChannelRecords, MediaLibrary, WorkspaceSettings
from application.shared.unit_of_work import UnitOfWork as Transaction


class UnitOfWork(Transaction, Protocol):
    media: MediaLibrary
    channels: ChannelRecords
    workspaces: WorkspaceSettings


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
    def reads(self) -> UnitOfWork: ...
