"""A fake Slack for the suite: the Web API, response URLs, file upload URLs and Socket Mode,
over real HTTP on loopback, checking every call against Slack's published description and
every Block Kit payload against slack_sdk's models and Slack's limits.

    from tests.slack_fake import FakeSlack, signed_headers

    with FakeSlack(team_id="T0PLAN", bot_user_id="UPLANBOT", bot_token="xoxb-test") as fake:
        client = WebClient(token="xoxb-test", base_url=fake.url)

Or use the ``fake_slack`` fixture (`tests.slack_fake.fixtures`): one fake per session,
reset for each test, failing the test at teardown when ``problems`` is not empty.

FakeSlack(team_id, bot_user_id, bot_token, app_token="xapp-test", bot_id, app_id,
          post_interval_per_channel=None, workspace_rate_per_minute=None,
          method_rate_per_minute=None)
  start() / stop() / context manager: an aiohttp server on 127.0.0.1:<free port> in a thread
  url                      "http://127.0.0.1:PORT/api/", the Web API base (SLACK_API_URL)
  add_user(user_id, *, email, real_name, deleted, team_id, is_bot) -> the users.info object
  add_channel(channel_id, *, name, is_member=True)   channels other than DMs must be added
  dm_channel(user_id) -> "D..."   the DM a post to the user id lands in; stable per user
  calls / calls_to(method) -> [Call(method, args, headers, at, status, response; .ok, .error)]
  messages(channel) -> [{"ts", "text", "blocks", "thread_ts", "user", "edited"?, "files"?,
                        "metadata", "unfurl_links", "unfurl_media"}]   edits applied; a
                        user id means that user's DM
  ephemerals -> [{"channel", "user", "text", "blocks", "thread_ts", "ts"}]
  response_url(name) -> URL; responses(name) -> JSON bodies POSTed to it, in order
  views -> [{"method", "view_id", "user_id", "view"}]; view(view_id); home(user_id)
  uploads -> [{"id", "filename", "title", "content": bytes, "channel_id", "initial_comment",
              "thread_ts"}]   files completed with files.completeUploadExternal
  fail(method, status, *, times=1, retry_after=None, error=None)   next calls answer 429
              (Retry-After, default 1), 500, 503..., or 200 {"ok": false, "error": error}
  rate limits: post_interval_per_channel (chat.postMessage), workspace_rate_per_minute
              (chat.postMessage across the workspace), method_rate_per_minute {method: n};
              settable attributes; over them: 429 + Retry-After; a call to a method/channel
              still under a Retry-After is a problem. rate_report(method) -> accepted,
              rate_limited, first, last, elapsed, floor (the limits' minimum time), ratio
  problems -> [str]; take_problems() returns and forgets them; problem(text) adds one
  reset(*, users=False)     forget calls, messages, views, uploads, responses, failures,
                            problems; restore the constructed rate limits
  wait_until(condition, timeout) / await await_until(condition, timeout)
  socket_connected; socket_send(envelope_type, payload, *, timeout=3, retry_attempt=0)
              -> the client's ack or None; await asocket_send(...) from an async test
  Web API methods simulated: auth.test, chat.postMessage, chat.update, chat.postEphemeral,
  chat.delete, conversations.open, conversations.info, users.info, users.lookupByEmail,
  team.info, views.open, views.push, views.update, views.publish,
  files.getUploadURLExternal (+ POST to its upload_url), files.completeUploadExternal,
  apps.connections.open (app token; ws://.../socket); files.upload -> method_deprecated.

Requests to the bot (signing.py): signed_headers(secret, body, *, timestamp=None),
slash_command_body/slash_command_fields, interaction_body(payload),
event_body/event_payload(event, *, event_id, team_id, ...), url_verification_body,
new_trigger_id() (views.open refuses a trigger id older than 3 s, or used twice).

Block Kit checks (blockkit.py): block_problems(blocks, surface=), view_problems(view),
message_problems(args) -> [str], usable on an ack body too.
"""

from tests.slack_fake.blockkit import block_problems, message_problems, view_problems
from tests.slack_fake.server import Call, FakeSlack, iter_blocks_text
from tests.slack_fake.signing import (
    event_body,
    event_payload,
    interaction_body,
    new_trigger_id,
    signature,
    signed_headers,
    slash_command_body,
    slash_command_fields,
    url_verification_body,
)

__all__ = [
    "Call",
    "FakeSlack",
    "block_problems",
    "event_body",
    "event_payload",
    "interaction_body",
    "iter_blocks_text",
    "message_problems",
    "new_trigger_id",
    "signature",
    "signed_headers",
    "slash_command_body",
    "slash_command_fields",
    "url_verification_body",
    "view_problems",
]
