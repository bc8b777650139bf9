import { CHAT_LIMITS } from '@parley/protocol';
import type { ChatHistoryResponse, ChatMessage, RoomSummary } from '@parley/protocol';
import { ref, shallowRef, watch } from 'vue';
import type { Ref } from 'vue';
import { api } from '../api';
import { TypingThrottle, TypingTracker, mergeMessages, unreadDelta } from './chat-state';
import { nextRef } from './room-socket';
import type { RoomSocket } from './room-socket';

export interface ChatOptions {
  socket: RoomSocket;
  roomId: string;
  /** The chat panel is open (no unread counting then). */
  panelOpen: Ref<boolean>;
  /** Hosts and co-hosts still write while chat is off for everyone (the server lets them). */
  writeWhenOff?: () => boolean;
  /** GET /api/rooms/:id/messages; injectable for tests. */
  fetchHistory?: (before: string, limit: number) => Promise<ChatHistoryResponse>;
  /** PATCH /api/rooms/:id {chatEnabled}; injectable for tests. */
  patchChatEnabled?: (enabled: boolean) => Promise<unknown>;
  now?: () => number;
}

/**
 * An error the panel explains (call.chat.errors.*): a server code (RATE_LIMITED,
 * CHAT_DISABLED, INVALID_MESSAGE) or a local one (TOO_LONG, NOT_SENT, HISTORY_FAILED,
 * TOGGLE_FAILED); unknown ones show the generic text.
 */
export type ChatErrorCode = string;

const seg = encodeURIComponent;

/**
 * One call's chat: the message list (room.joined's tail, live `chat.message`s, older pages
 * from the history route), unread count, who is typing, whether chat is on, and sending.
 * Lives as long as the call page (not the panel) so unread counting works while closed.
 */
export function useChat(opts: ChatOptions) {
  const { socket, roomId } = opts;
  const now = opts.now ?? Date.now;
  const fetchHistory =
    opts.fetchHistory ??
    ((before: string, limit: number) =>
      api.request<ChatHistoryResponse>(
        `/api/rooms/${seg(roomId)}/messages?before=${seg(before)}&limit=${limit}`,
      ));
  const patchChatEnabled =
    opts.patchChatEnabled ??
    ((enabled: boolean) =>
      api.request(`/api/rooms/${seg(roomId)}`, {
        method: 'PATCH',
        body: { chatEnabled: enabled },
      }));

  const messages = shallowRef<ChatMessage[]>([]);
  const known = new Set<string>();
  const hasMore = ref(false);
  const loadingEarlier = ref(false);
  const unread = ref(0);
  const chatEnabled = ref(true);
  const error = ref<ChatErrorCode | null>(null);
  const draft = ref('');
  const typingNames = shallowRef<string[]>([]);
  const togglingEnabled = ref(false);

  const throttle = new TypingThrottle(CHAT_LIMITS.typingIntervalMs);
  const tracker = new TypingTracker(4000);
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  /** Sent and not confirmed yet: ref → text, to put it back if it is refused. */
  const pending = new Map<string, string>();

  function add(incoming: readonly ChatMessage[], countUnread: boolean): void {
    if (countUnread)
      unread.value += unreadDelta(known, incoming, socket.userId, opts.panelOpen.value);
    for (const m of incoming) known.add(m.id);
    messages.value = mergeMessages(messages.value, incoming);
  }

  function refreshTyping(): void {
    if (typingTimer !== undefined) clearTimeout(typingTimer);
    typingTimer = undefined;
    typingNames.value = tracker.names(now());
    const next = tracker.nextExpiry();
    if (next !== undefined) typingTimer = setTimeout(refreshTyping, Math.max(50, next - now()));
  }

  function setRoom(room: RoomSummary): void {
    chatEnabled.value = room.chatEnabled;
    if (room.chatEnabled && error.value === 'CHAT_DISABLED') error.value = null;
  }

  const offs = [
    socket.on('room.joined', (m) => {
      if (m.roomId !== roomId) return;
      setRoom(m.room);
      // After a reconnect the tail may hold messages missed meanwhile: count those.
      add(m.chat, known.size > 0);
      if (known.size <= m.chat.length) hasMore.value = m.chat.length >= CHAT_LIMITS.tailSize;
    }),
    socket.on('room.updated', (m) => {
      if (m.roomId === roomId) setRoom(m.room);
    }),
    socket.on('chat.message', (m) => {
      if (m.roomId !== roomId) return;
      const { type: _type, ref: msgRef, ...message } = m;
      if (msgRef) pending.delete(msgRef);
      tracker.stopped(message.userId);
      refreshTyping();
      add([message], true);
    }),
    socket.on('chat.typing', (m) => {
      if (m.roomId !== roomId || m.userId === socket.userId) return;
      tracker.saw(m.userId, m.displayName, now());
      refreshTyping();
    }),
    socket.on('error', (m) => {
      const text = m.ref ? pending.get(m.ref) : undefined;
      if (text === undefined) {
        // A chat.typing refused because chat just went off has no ref.
        if (m.code === 'CHAT_DISABLED' && !m.ref) chatEnabled.value = false;
        return;
      }
      if (m.ref) pending.delete(m.ref);
      error.value = m.code;
      if (m.code === 'CHAT_DISABLED') chatEnabled.value = false;
      // Give the words back so nothing typed is lost.
      if (!draft.value.trim()) draft.value = text;
    }),
  ];

  // Opening the panel reads everything.
  watch(
    opts.panelOpen,
    (open) => {
      if (open) unread.value = 0;
    },
    { immediate: true },
  );

  /** Sends the draft (or `text`); false when there is nothing to send or it cannot go. */
  function send(text = draft.value): boolean {
    const body = text.replace(/\r\n?/g, '\n').trim();
    if (!body) return false;
    if (!chatEnabled.value && !opts.writeWhenOff?.()) {
      error.value = 'CHAT_DISABLED';
      return false;
    }
    if (body.length > CHAT_LIMITS.maxTextLength) {
      error.value = 'TOO_LONG';
      return false;
    }
    const ref = nextRef('chat');
    if (!socket.send({ type: 'chat.send', text: body, ref })) {
      error.value = 'NOT_SENT';
      return false;
    }
    pending.set(ref, body);
    error.value = null;
    draft.value = '';
    throttle.reset();
    return true;
  }

  /**
   * Call on every input in the box with its text: keeps it as the draft and sends
   * `chat.typing` at most every 2 s.
   */
  function typed(text: string): void {
    draft.value = text;
    if ((!chatEnabled.value && !opts.writeWhenOff?.()) || !text.trim()) return;
    if (throttle.shouldSend(now())) socket.send({ type: 'chat.typing' });
  }

  async function loadEarlier(): Promise<void> {
    const first = messages.value[0];
    if (!first || loadingEarlier.value) return;
    loadingEarlier.value = true;
    try {
      const page = await fetchHistory(first.id, CHAT_LIMITS.historyDefaultLimit);
      add(page.messages, false);
      hasMore.value = page.hasMore;
    } catch {
      error.value = 'HISTORY_FAILED';
    } finally {
      loadingEarlier.value = false;
    }
  }

  /** Host and co-hosts: switch chat off or on for everyone. */
  async function setEnabled(enabled: boolean): Promise<void> {
    togglingEnabled.value = true;
    try {
      await patchChatEnabled(enabled);
      chatEnabled.value = enabled;
      if (enabled && error.value === 'CHAT_DISABLED') error.value = null;
    } catch {
      error.value = 'TOGGLE_FAILED';
    } finally {
      togglingEnabled.value = false;
    }
  }

  function dispose(): void {
    for (const off of offs.splice(0)) off();
    if (typingTimer !== undefined) clearTimeout(typingTimer);
  }

  return {
    messages,
    hasMore,
    loadingEarlier,
    unread,
    chatEnabled,
    error,
    draft,
    typingNames,
    togglingEnabled,
    /** This connection's user (from `welcome`), to style own messages. */
    selfUserId: () => socket.userId,
    send,
    typed,
    loadEarlier,
    setEnabled,
    clearError: () => (error.value = null),
    dispose,
  };
}

export type Chat = ReturnType<typeof useChat>;
