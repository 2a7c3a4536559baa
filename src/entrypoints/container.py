"""The composition root: every port wired to its adapter, once. Tests override providers."""

from __future__ import annotations

import httpx
from dependency_injector import containers, providers

from adapters.campaigns.projection import CampaignProjection
from adapters.campaigns.reader import SqlCampaignReader
from adapters.captions.configured import build_caption_generator, model_status
from adapters.captions.examples import NoEngagementYet
from adapters.captions.usage_ledger import SqlUsageLedger
from adapters.engagement.poll_queue import ProcrastinatePollQueue
from adapters.engagement.reader import SqlEngagementReader
from adapters.engagement.store import SqlEngagementStore
from adapters.engagement.tracking_projection import EngagementTrackingProjection
from adapters.identity.common_passwords import ZxcvbnCommonPasswords
from adapters.identity.credentials import SqlCredentials
from adapters.identity.login_throttle import SqlLoginThrottle
from adapters.identity.password_hasher import Argon2PasswordHasher
from adapters.live.members import SqlMemberWorkspaces
from adapters.live.postgres_feed import PostgresLiveFeed
from adapters.live.target_projection import LiveTargetProjection
from adapters.platforms.directory import build_directory
from adapters.platforms.http import shared_client
from adapters.publishing.job_queue import ProcrastinateJobQueue
from adapters.publishing.media_store import FileMediaStore
from adapters.publishing.pillow_images import PillowImages
from adapters.publishing.projection import PostProjection
from adapters.publishing.readers import SqlCalendarReader, SqlPostReader
from adapters.publishing.schedule_projection import PublishingScheduleProjection
from adapters.shared.address_policy import AddressPolicy, system_resolver
from adapters.shared.clock import RandomIds, SystemClock
from adapters.shared.database import create_engine, for_reads
from adapters.shared.database_url import DatabaseLocation
from adapters.shared.event_store import AsyncEventStore, build_application
from adapters.shared.projector import Projector
from adapters.shared.server_guard import PolicyServerGuard
from adapters.shared.sql_unit_of_work import SqlUnitOfWorkFactory
from adapters.shared.token_cipher import AesGcmTokenCipher, load_or_create_key
from application.campaigns.activate_campaign import ActivateCampaignHandler
from application.campaigns.archive_campaign import ArchiveCampaignHandler
from application.campaigns.complete_campaign import CompleteCampaignHandler
from application.campaigns.create_campaign import CreateCampaignHandler
from application.campaigns.get_campaign import GetCampaignHandler
from application.campaigns.list_campaigns import ListCampaignsHandler
from application.campaigns.update_campaign import UpdateCampaignHandler
from application.captions.generate_captions import GenerateCaptionsHandler
from application.captions.get_caption_usage import GetCaptionUsageHandler
from application.channels.add_planned_channel import AddPlannedChannelHandler
from application.channels.complete_oauth_connect import CompleteOAuthConnectHandler
from application.channels.connect_with_app_password import ConnectWithAppPasswordHandler
from application.channels.disconnect_channel import DisconnectChannelHandler
from application.channels.list_channels import ListChannelsHandler
from application.channels.refresh_tokens import RefreshDueTokensHandler, TokenKeeper
from application.channels.start_oauth_connect import StartOAuthConnectHandler
from application.engagement.defer_due_polls import DeferDuePollsHandler
from application.engagement.get_post_engagement import GetPostEngagementHandler
from application.engagement.poll_engagement import PollEngagementHandler
from application.engagement.refresh_engagement_now import RefreshEngagementNowHandler
from application.identity.accept_invitation import AcceptInvitationHandler
from application.identity.authenticate import AuthenticateHandler
from application.identity.cancel_invitation import CancelInvitationHandler
from application.identity.change_role import ChangeRoleHandler
from application.identity.create_api_token import CreateApiTokenHandler
from application.identity.create_workspace import CreateWorkspaceHandler
from application.identity.get_me import GetMeHandler
from application.identity.invite_member import InviteMemberHandler
from application.identity.list_api_tokens import ListApiTokensHandler
from application.identity.list_invitations import ListInvitationsHandler
from application.identity.list_members import ListMembersHandler
from application.identity.log_in import LogInHandler
from application.identity.log_out import LogOutHandler
from application.identity.resolve_actor import ResolveActorHandler
from application.identity.revoke_api_token import RevokeApiTokenHandler
from application.identity.set_time_zone import SetTimeZoneHandler
from application.identity.sign_up import SignUpHandler
from application.identity.update_workspace_settings import UpdateWorkspaceSettingsHandler
from application.live.follow_live_events import FollowLiveEventsHandler
from application.publishing.cancel_post import CancelPostHandler
from application.publishing.create_draft_post import CreateDraftPostHandler
from application.publishing.describe_media import DescribeMediaHandler
from application.publishing.edit_post import EditPostHandler
from application.publishing.get_media import GetMediaHandler
from application.publishing.list_posts import ListPostsHandler
from application.publishing.publish_target import PublishTargetHandler
from application.publishing.queries import CalendarRangeHandler, GetPostHandler
from application.publishing.reschedule_post import ReschedulePostHandler
from application.publishing.retry_target import RetryTargetHandler
from application.publishing.review import ApprovePostHandler, RequestChangesHandler, SubmitForReviewHandler
from application.publishing.schedule_post import SchedulePostHandler
from application.publishing.set_variant import SetVariantHandler
from application.publishing.upload_media import UploadMediaHandler
from entrypoints.settings import Settings
from entrypoints.worker.jobs import create_job_app


def _platform_timeout(seconds: float) -> httpx.Timeout:
    return httpx.Timeout(connect=5.0, read=seconds, write=seconds, pool=5.0)


def _media_root(data_dir):
    return data_dir / "media"


def _secret(value) -> str | None:
    return value.get_secret_value() if value is not None else None


def _event_env(location, pool_size: int) -> dict[str, str]:
    return {**location.eventsourcing_env(), "CREATE_TABLE": "false",
            "POSTGRES_POOL_SIZE": str(pool_size), "POSTGRES_MAX_OVERFLOW": "0"}


class Container(containers.DeclarativeContainer):
    settings: providers.Dependency[Settings] = providers.Dependency()
    location: providers.Dependency[DatabaseLocation] = providers.Dependency()

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(RandomIds)
    engine = providers.Singleton(create_engine, location, pool_size=settings.provided.db_pool_size)
    read_engine = providers.Singleton(for_reads, engine)  # overridden by a replica's when configured
    primary_reads = providers.Singleton(for_reads, engine)  # reads that must see the latest commit, autocommit
    event_app = providers.Singleton(build_application, providers.Callable(_event_env, location,
                                                                          settings.provided.db_pool_size))
    event_store = providers.Singleton(AsyncEventStore, event_app, concurrency=settings.provided.db_pool_size)
    uow = providers.Singleton(SqlUnitOfWorkFactory, engine)
    projector = providers.Singleton(Projector, event_app, engine,
                                    providers.List(providers.Singleton(CampaignProjection),
                                                   providers.Singleton(PostProjection),
                                                   providers.Singleton(PublishingScheduleProjection),
                                                   providers.Singleton(EngagementTrackingProjection),
                                                   providers.Singleton(LiveTargetProjection)))
    hasher = providers.Singleton(Argon2PasswordHasher)
    cipher = providers.Singleton(AesGcmTokenCipher, providers.Callable(
        load_or_create_key, settings.provided.secret_key, settings.provided.key_file))

    # The SSRF guard: one policy for the pre-check and for every connection of the platforms' client.
    outbound_resolver = providers.Object(system_resolver)  # tests override it with names of their own
    address_policy = providers.Singleton(AddressPolicy.build, settings.provided.allowed_private_hosts,
                                         trusted_urls=providers.List(settings.provided.simulator_url),
                                         resolver=outbound_resolver)
    server_guard = providers.Singleton(PolicyServerGuard, address_policy)
    http_client = providers.Singleton(shared_client, providers.Callable(
        _platform_timeout, settings.provided.platform_timeout), address_policy)
    platforms = providers.Singleton(
        build_directory, http_client, bluesky_pds_url=settings.provided.bluesky_pds_url,
        x_api_url=settings.provided.x_api_url, x_authorize_url=settings.provided.x_authorize_url,
        x_client_id=settings.provided.x_client_id, x_client_secret=settings.provided.x_client_secret,
        simulator_url=settings.provided.simulator_url)
    token_keeper = providers.Singleton(TokenKeeper, uow, platforms, cipher, clock)
    job_app = providers.Singleton(create_job_app, location, pool_size=5)
    job_queue = providers.Singleton(ProcrastinateJobQueue, engine)

    campaign_reader = providers.Singleton(SqlCampaignReader, read_engine)
    post_reader = providers.Singleton(SqlPostReader, read_engine)
    calendar_reader = providers.Singleton(SqlCalendarReader, read_engine)

    # identity
    common_passwords = providers.Singleton(ZxcvbnCommonPasswords)
    login_throttle = providers.Singleton(SqlLoginThrottle, engine)
    sign_up = providers.Singleton(SignUpHandler, uow, hasher, clock, ids, common_passwords,
                                  settings.provided.signup_mode.call())
    log_in = providers.Singleton(LogInHandler, uow, hasher, clock, login_throttle)
    log_out = providers.Singleton(LogOutHandler, uow)
    credentials = providers.Singleton(SqlCredentials, primary_reads)
    authenticate = providers.Singleton(AuthenticateHandler, credentials, uow, clock)
    resolve_actor = providers.Singleton(ResolveActorHandler, uow)
    create_workspace = providers.Singleton(CreateWorkspaceHandler, uow, clock, ids,
                                           settings.provided.max_workspaces_per_user)
    update_workspace_settings = providers.Singleton(UpdateWorkspaceSettingsHandler, uow)
    invite_member = providers.Singleton(InviteMemberHandler, uow, clock, ids)
    accept_invitation = providers.Singleton(AcceptInvitationHandler, uow, clock)
    change_role = providers.Singleton(ChangeRoleHandler, uow)
    create_api_token = providers.Singleton(CreateApiTokenHandler, uow, clock, ids)
    list_api_tokens = providers.Singleton(ListApiTokensHandler, uow, clock)
    revoke_api_token = providers.Singleton(RevokeApiTokenHandler, uow, clock)
    get_me = providers.Singleton(GetMeHandler, uow)
    set_time_zone = providers.Singleton(SetTimeZoneHandler, uow)
    list_members = providers.Singleton(ListMembersHandler, uow)
    list_invitations = providers.Singleton(ListInvitationsHandler, uow, clock)
    cancel_invitation = providers.Singleton(CancelInvitationHandler, uow)

    # channels
    add_planned_channel = providers.Singleton(AddPlannedChannelHandler, uow, clock, ids)
    list_channels = providers.Singleton(ListChannelsHandler, uow, clock)
    start_oauth_connect = providers.Singleton(StartOAuthConnectHandler, uow, platforms, cipher, clock, server_guard)
    complete_oauth_connect = providers.Singleton(CompleteOAuthConnectHandler, uow, platforms, cipher, clock, ids)
    connect_with_app_password = providers.Singleton(ConnectWithAppPasswordHandler, uow, platforms, cipher, clock, ids,
                                                    server_guard)
    disconnect_channel = providers.Singleton(DisconnectChannelHandler, uow, clock)
    refresh_due_tokens = providers.Singleton(RefreshDueTokensHandler, uow, token_keeper, clock)

    # campaigns
    create_campaign = providers.Singleton(CreateCampaignHandler, event_store)
    update_campaign = providers.Singleton(UpdateCampaignHandler, event_store)
    activate_campaign = providers.Singleton(ActivateCampaignHandler, event_store)
    complete_campaign = providers.Singleton(CompleteCampaignHandler, event_store)
    archive_campaign = providers.Singleton(ArchiveCampaignHandler, event_store)
    list_campaigns = providers.Singleton(ListCampaignsHandler, campaign_reader)
    get_campaign = providers.Singleton(GetCampaignHandler, campaign_reader)

    # publishing
    create_draft_post = providers.Singleton(CreateDraftPostHandler, event_store, uow, clock)
    edit_post = providers.Singleton(EditPostHandler, event_store, uow, clock)
    set_variant = providers.Singleton(SetVariantHandler, event_store, uow)
    submit_for_review = providers.Singleton(SubmitForReviewHandler, event_store)
    approve_post = providers.Singleton(ApprovePostHandler, event_store)
    request_changes = providers.Singleton(RequestChangesHandler, event_store)
    schedule_post = providers.Singleton(SchedulePostHandler, event_store, clock, uow)
    reschedule_post = providers.Singleton(ReschedulePostHandler, event_store, clock)
    cancel_post = providers.Singleton(CancelPostHandler, event_store)
    calendar_range = providers.Singleton(CalendarRangeHandler, calendar_reader)
    get_post = providers.Singleton(GetPostHandler, post_reader)
    list_posts = providers.Singleton(ListPostsHandler, post_reader)
    retry_target = providers.Singleton(RetryTargetHandler, event_store, clock)
    media_store = providers.Singleton(FileMediaStore, providers.Callable(_media_root, settings.provided.data_dir))
    images = providers.Singleton(PillowImages)
    upload_media = providers.Singleton(UploadMediaHandler, media_store, images, uow, clock, settings.provided.max_upload_bytes)
    get_media = providers.Singleton(GetMediaHandler, media_store, uow)
    describe_media = providers.Singleton(DescribeMediaHandler, uow)
    publish_target = providers.Singleton(PublishTargetHandler, event_store, uow, platforms, token_keeper, clock, ids,
                                         media_store, images, job_queue)

    # engagement
    engagement_store = providers.Singleton(SqlEngagementStore, engine)
    engagement_reader = providers.Singleton(SqlEngagementReader, read_engine)
    poll_queue = providers.Singleton(ProcrastinatePollQueue, engine)
    poll_engagement = providers.Singleton(PollEngagementHandler, engagement_store, token_keeper, platforms, clock)
    defer_due_polls = providers.Singleton(DeferDuePollsHandler, engagement_store, poll_queue, clock)
    refresh_engagement_now = providers.Singleton(RefreshEngagementNowHandler, engagement_store, engagement_reader,
                                                 poll_queue, clock)
    get_post_engagement = providers.Singleton(GetPostEngagementHandler, engagement_reader)

    # live
    live_feed = providers.Singleton(PostgresLiveFeed, location, engine)
    follow_live_events = providers.Singleton(FollowLiveEventsHandler, live_feed,
                                             providers.Singleton(SqlMemberWorkspaces, engine))

    # captions
    caption_generator = providers.Singleton(
        build_caption_generator, base_url=settings.provided.llm_base_url,
        api_key=providers.Callable(_secret, settings.provided.llm_api_key), model=settings.provided.llm_model,
        api_version=settings.provided.llm_api_version, structured=settings.provided.llm_structured_output,
        timeout=settings.provided.llm_timeout, max_retries=settings.provided.llm_max_retries,
        threads=settings.provided.llm_threads)
    caption_model_status = providers.Callable(model_status, base_url=settings.provided.llm_base_url,
                                              model=settings.provided.llm_model)
    usage_ledger = providers.Singleton(SqlUsageLedger, engine)
    caption_examples = providers.Singleton(NoEngagementYet)
    generate_captions = providers.Singleton(GenerateCaptionsHandler, caption_generator, campaign_reader, usage_ledger,
                                            caption_examples, clock, settings.provided.caption_limit_per_hour,
                                            settings.provided.caption_limit_per_user_per_hour)
    get_caption_usage = providers.Singleton(GetCaptionUsageHandler, usage_ledger, clock,
                                            settings.provided.caption_limit_per_hour)


def build_container(settings, location) -> Container:
    container = Container(settings=settings, location=location)
    if settings.read_replica_url:
        replica = DatabaseLocation.parse(settings.read_replica_url)
        container.read_engine.override(providers.Singleton(for_reads, providers.Singleton(create_engine, replica,
                                                                                   settings.db_pool_size)))
    return container


async def shutdown(container: Container) -> None:
    """Close pools in order: the live feed's connection, HTTP client, the async engine, then the event
    store's psycopg pool."""
    await container.live_feed().close()
    await container.http_client().aclose()
    await container.engine().dispose()
    container.event_app().close()
