import { ErrorCode, WsCloseCode, parseClientMessage } from '@parley/protocol';
import type { ClientMessage } from '@parley/protocol';
import { AppError } from '../../platform/errors.js';
import type { SessionContext } from './context.js';
import { handleChatSend, handleChatTyping } from './handlers/chat.js';
import { handleMediaUpdate } from './handlers/media.js';
import { handlePlayback } from './handlers/playback.js';
import { handleQualityReport } from './handlers/quality.js';
import { handleReaction } from './handlers/reaction.js';
import { handleJoin, handleLeave } from './handlers/room.js';
import { handleAuthRefresh, handleHello, handlePing } from './handlers/session.js';
import { handleSignal } from './handlers/signal.js';
import type { PlainJsonResult } from '../../platform/plain-json.js';
import { SignalingErrors } from './errors.js';
import { assertNever } from './session.js';
import type { Connection, InRoomState, ReadyState, SessionState } from './session.js';

/**
 * One inbound text frame, already JSON-parsed, for one connection: what it means depends
 * on the session state. Before `hello` every mistake closes (4004); after it, mistakes
 * are answered with `error` and the connection stays.
 */
export async function dispatch(
  ctx: SessionContext,
  conn: Connection,
  frame: PlainJsonResult,
): Promise<void> {
  const state = conn.state;
  switch (state.kind) {
    case 'awaiting-hello':
      return firstMessage(ctx, conn, state, frame);
    case 'ready':
    case 'in-room':
      return message(ctx, conn, state, frame);
    case 'closing':
      return;
    default:
      return assertNever(state);
  }
}

async function firstMessage(
  ctx: SessionContext,
  conn: Connection,
  state: Extract<SessionState, { kind: 'awaiting-hello' }>,
  frame: PlainJsonResult,
): Promise<void> {
  const violation = (reason: string, message: string, ref?: string, details?: object) =>
    ctx.closeWith(conn, {
      code: WsCloseCode.PROTOCOL_VIOLATION,
      reason,
      error: { message, ref, ...(details ? { details: { ...details } } : {}) },
    });
  if (!frame.ok) {
    countIn(ctx, undefined);
    return violation(ErrorCode.INVALID_JSON, frame.reason);
  }
  const parsed = parseClientMessage(frame.value);
  countIn(ctx, parsed);
  if (!parsed.ok) {
    return violation(parsed.code, 'The first message must be a valid hello.', parsed.ref, {
      fields: parsed.fields,
    });
  }
  if (parsed.message.type !== 'hello') {
    return violation(ErrorCode.HELLO_REQUIRED, 'Send hello first.', parsed.message.ref);
  }
  await handleHello(ctx, conn, state, parsed.message);
}

async function message(
  ctx: SessionContext,
  conn: Connection,
  state: ReadyState | InRoomState,
  frame: PlainJsonResult,
): Promise<void> {
  if (!frame.ok) {
    countIn(ctx, undefined);
    return ctx.sendError(conn, ErrorCode.INVALID_JSON, frame.reason);
  }
  const parsed = parseClientMessage(frame.value);
  countIn(ctx, parsed);
  if (!parsed.ok) {
    const text =
      parsed.code === ErrorCode.UNKNOWN_MESSAGE_TYPE
        ? 'Unknown message type.'
        : 'The message does not match the protocol.';
    return ctx.sendError(conn, parsed.code, text, parsed.ref, { fields: parsed.fields });
  }
  const msg = parsed.message;
  try {
    await route(ctx, conn, state, msg);
  } catch (err) {
    replyError(ctx, conn, err, msg.ref);
  }
}

/**
 * Received messages by type. Labels stay a fixed set whatever clients send: the protocol's
 * types, `unknown` for a type it does not have, `invalid` for anything else.
 */
function countIn(ctx: SessionContext, parsed: ReturnType<typeof parseClientMessage> | undefined) {
  const type = !parsed
    ? 'invalid'
    : parsed.ok
      ? parsed.message.type
      : parsed.code === ErrorCode.UNKNOWN_MESSAGE_TYPE
        ? 'unknown'
        : 'invalid';
  ctx.deps.metrics?.wsMessagesIn.count(type);
}

/** The one switch over client message types; each family lives in its own handler file. */
async function route(
  ctx: SessionContext,
  conn: Connection,
  state: ReadyState | InRoomState,
  msg: ClientMessage,
): Promise<void> {
  switch (msg.type) {
    case 'hello':
      throw SignalingErrors.helloTwice();
    case 'auth.refresh':
      return handleAuthRefresh(ctx, conn, state, msg);
    case 'ping':
      return handlePing(ctx, conn, msg);
    case 'room.join':
      return handleJoin(ctx, conn, state, msg);
    case 'room.leave':
      return handleLeave(ctx, conn, state, msg);
    case 'signal':
      return handleSignal(ctx, conn, state, msg);
    case 'media.update':
      return handleMediaUpdate(ctx, conn, state, msg);
    case 'chat.send':
      return handleChatSend(ctx, conn, state, msg);
    case 'chat.typing':
      return handleChatTyping(ctx, conn, state, msg);
    case 'playback.set':
    case 'playback.play':
    case 'playback.pause':
    case 'playback.seek':
    case 'playback.rate':
      return handlePlayback(ctx, conn, state, msg);
    case 'quality.report':
      return handleQualityReport(ctx, conn, state, msg);
    case 'reaction.send':
      return handleReaction(ctx, conn, state, msg);
    default:
      return assertNever(msg);
  }
}

/** The WebSocket side of the one error mapping: AppError → `error`, anything else → INTERNAL. */
function replyError(ctx: SessionContext, conn: Connection, err: unknown, ref?: string): void {
  if (err instanceof AppError) {
    const details = Object.keys(err.details).length ? err.details : undefined;
    return ctx.sendError(conn, err.code, err.message, ref, details);
  }
  ctx.log.error({ err, connectionId: conn.id }, 'socket message handler failed');
  ctx.sendError(conn, ErrorCode.INTERNAL, 'Something went wrong on our side.', ref);
}
