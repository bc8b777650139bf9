// @vitest-environment happy-dom
import type { ChatMessage, RoomSummary, ServerMessageOf } from '@parley/protocol';
import { INITIAL_PLAYBACK_STATE } from '@parley/protocol';
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ref } from 'vue';
import { FakeSocket } from '../../composables/fake-socket';
import { useChat } from '../../composables/useChat';
import { mountWithApp } from '../../testing/mount-app';
import ChatRoom from './ChatRoom.vue';

const ROOM = '0b8e5b3e-8a1f-4c1e-9b7a-2f4d6c8e0a12';
const ADA = '5f0c8a5e-2b7d-4c3a-8e1f-9a6b4d2c0e11';
const GRACE = '9d2f3c4b-1a2b-4c3d-8e4f-5a6b7c8d9e0f';

const summary = (chatEnabled = true): RoomSummary => ({
  id: ROOM,
  code: 'abc-defg-hjkm',
  name: 'Sync',
  visibility: 'private',
  entry: 'open',
  chatEnabled,
  maxParticipants: 12,
  locked: false,
  kind: 'meeting',
  status: 'open',
  hostId: ADA,
  hostDisplayName: 'Ada',
  createdAt: '2025-01-01T10:00:00.000Z',
  closedAt: null,
  participantCount: 2,
  instant: false,
  meetingStartedAt: null,
});

function msg(seq: number, userId = GRACE, text = `m${seq}`): ChatMessage {
  return {
    id: `01JGZ7K3Q4M5N6P7R8S9T0V${String(seq).padStart(3, '0')}`,
    seq,
    roomId: ROOM,
    userId,
    displayName: userId === ADA ? 'Ada' : 'Grace',
    text,
    sentAt: '2025-01-01T10:02:30.000Z',
  };
}

function joined(chat: ChatMessage[], chatEnabled = true): ServerMessageOf<'room.joined'> {
  return {
    type: 'room.joined',
    roomId: ROOM,
    room: summary(chatEnabled),
    self: { connectionId: 'c1', userId: ADA, role: 'host' },
    participants: [],
    lobby: [],
    chat,
    playback: { ...INITIAL_PLAYBACK_STATE },
    serverTime: 1,
    spotlight: null,
  };
}

const live = (m: ChatMessage, ref?: string): ServerMessageOf<'chat.message'> => ({
  type: 'chat.message',
  ...m,
  ...(ref ? { ref } : {}),
});

afterEach(() => {
  document.body.innerHTML = '';
  vi.useRealTimers();
});

function setup(opts: { open?: boolean; writeWhenOff?: () => boolean } = {}) {
  const socket = new FakeSocket(ADA);
  const panelOpen = ref(opts.open ?? false);
  const fetchHistory = vi.fn(() => Promise.resolve({ messages: [msg(1), msg(2)], hasMore: false }));
  const patchChatEnabled = vi.fn(() => Promise.resolve({}));
  const chat = useChat({
    socket,
    roomId: ROOM,
    panelOpen,
    fetchHistory,
    patchChatEnabled,
    writeWhenOff: opts.writeWhenOff,
  });
  return { socket, panelOpen, chat, fetchHistory, patchChatEnabled };
}

describe('useChat', () => {
  it('keeps history and live messages once each, in seq order', () => {
    const { socket, chat } = setup();
    socket.emit(joined([msg(3), msg(4)]));
    socket.emit(live(msg(6)));
    socket.emit(live(msg(5)));
    socket.emit(live(msg(4)));
    expect(chat.messages.value.map((m) => m.seq)).toEqual([3, 4, 5, 6]);
  });

  it('counts unread messages from others while closed and clears them on open', () => {
    const { socket, chat, panelOpen } = setup();
    socket.emit(joined([msg(1)]));
    expect(chat.unread.value).toBe(0);
    socket.emit(live(msg(2)));
    socket.emit(live(msg(3, ADA)));
    socket.emit(live(msg(2)));
    expect(chat.unread.value).toBe(1);
    panelOpen.value = true;
    return Promise.resolve().then(() => {
      expect(chat.unread.value).toBe(0);
      socket.emit(live(msg(4)));
      expect(chat.unread.value).toBe(0);
    });
  });

  it('sends chat.typing at most every 2 s', () => {
    vi.useFakeTimers();
    const { socket, chat } = setup();
    socket.emit(joined([]));
    for (let i = 0; i < 10; i++) {
      chat.typed('h');
      vi.advanceTimersByTime(300);
    }
    expect(socket.sent.filter((m) => m.type === 'chat.typing')).toHaveLength(2);
  });

  it('gives the text back and shows the code when a send is refused', () => {
    const { socket, chat } = setup();
    socket.emit(joined([]));
    chat.draft.value = 'hello';
    expect(chat.send()).toBe(true);
    expect(chat.draft.value).toBe('');
    const sent = socket.sent.at(-1);
    expect(sent).toMatchObject({ type: 'chat.send', text: 'hello' });
    socket.emit({
      type: 'error',
      ref: (sent as { ref: string }).ref,
      code: 'RATE_LIMITED',
      message: 'slow down',
    });
    expect(chat.error.value).toBe('RATE_LIMITED');
    expect(chat.draft.value).toBe('hello');
  });

  it('follows chatEnabled from room.joined and room.updated and refuses to send when off', () => {
    const { socket, chat } = setup();
    socket.emit(joined([], false));
    expect(chat.chatEnabled.value).toBe(false);
    chat.draft.value = 'x';
    expect(chat.send()).toBe(false);
    socket.emit({ type: 'room.updated', roomId: ROOM, room: summary(true) });
    expect(chat.chatEnabled.value).toBe(true);
  });

  it('pages back with the first message id as `before`', async () => {
    const { socket, chat, fetchHistory } = setup();
    socket.emit(joined(Array.from({ length: 50 }, (_, i) => msg(i + 3))));
    expect(chat.hasMore.value).toBe(true);
    await chat.loadEarlier();
    expect(fetchHistory).toHaveBeenCalledWith(msg(3).id, 50);
    expect(chat.messages.value[0]?.seq).toBe(1);
    expect(chat.hasMore.value).toBe(false);
  });
});

describe('ChatRoom', () => {
  it('renders HTML in messages as text and links as safe anchors', async () => {
    const { socket, chat } = setup({ open: true });
    socket.emit(
      joined([
        msg(1, GRACE, '<script>alert(1)</script><b>bold</b>'),
        msg(2, GRACE, 'see https://example.org/x and javascript:alert(1)'),
      ]),
    );
    const { wrapper } = await mountWithApp(ChatRoom, { props: { chat, canModerate: false } });
    const texts = wrapper.findAll('[data-testid="chat-text"]');
    expect(texts[0]?.text()).toBe('<script>alert(1)</script><b>bold</b>');
    expect(texts[0]?.find('script').exists()).toBe(false);
    expect(texts[0]?.find('b').exists()).toBe(false);
    const links = wrapper.findAll('a');
    expect(links).toHaveLength(1);
    expect(links[0]?.attributes()).toMatchObject({
      href: 'https://example.org/x',
      rel: 'noopener noreferrer nofollow',
      target: '_blank',
    });
    expect(wrapper.find('[data-testid="chat-toggle-enabled"]').exists()).toBe(false);
  });

  it('sends on Enter, not on Shift+Enter, and marks own messages', async () => {
    const { socket, chat } = setup({ open: true });
    socket.emit(joined([msg(1, ADA, 'mine'), msg(2, GRACE, 'theirs')]));
    const { wrapper } = await mountWithApp(ChatRoom, { props: { chat, canModerate: true } });
    const own = wrapper.findAll('[data-testid="chat-message"]');
    expect(own[0]?.attributes('data-own')).toBe('true');
    expect(own[1]?.attributes('data-own')).toBeUndefined();
    const input = wrapper.get('[data-testid="chat-input"]');
    await input.setValue('line one');
    await input.trigger('keydown', { key: 'Enter', shiftKey: true });
    expect(socket.sent.filter((m) => m.type === 'chat.send')).toHaveLength(0);
    await input.trigger('keydown', { key: 'Enter' });
    expect(socket.sent.filter((m) => m.type === 'chat.send')).toEqual([
      expect.objectContaining({ text: 'line one' }),
    ]);
  });

  it('shows chat as off and disables the box; hosts get the switch', async () => {
    const { socket, chat, patchChatEnabled } = setup({ open: true });
    socket.emit(joined([], false));
    const { wrapper } = await mountWithApp(ChatRoom, { props: { chat, canModerate: true } });
    expect(wrapper.get('[data-testid="chat-disabled"]').text()).toBe(
      'Chat is turned off by the host',
    );
    expect(wrapper.get('[data-testid="chat-input"]').attributes('disabled')).toBeDefined();
    await wrapper.get('[data-testid="chat-toggle-enabled"]').trigger('click');
    await flushPromises();
    expect(patchChatEnabled).toHaveBeenCalledWith(true);
    expect(wrapper.find('[data-testid="chat-disabled"]').exists()).toBe(false);
  });

  it('a host still writes while chat is off for everyone', async () => {
    const { socket, chat } = setup({ open: true, writeWhenOff: () => true });
    socket.emit(joined([], false));
    const { wrapper } = await mountWithApp(ChatRoom, {
      props: { chat, canModerate: true, writeWhenOff: true },
    });
    const input = wrapper.get('[data-testid="chat-input"]');
    expect(input.attributes('disabled')).toBeUndefined();
    await input.setValue('heads up');
    await input.trigger('keydown', { key: 'Enter' });
    expect(socket.sent.filter((m) => m.type === 'chat.send')).toEqual([
      expect.objectContaining({ text: 'heads up' }),
    ]);
  });

  it('shows who is typing and a counter near the limit', async () => {
    const { socket, chat } = setup({ open: true });
    socket.emit(joined([]));
    const { wrapper } = await mountWithApp(ChatRoom, { props: { chat, canModerate: false } });
    socket.emit({ type: 'chat.typing', roomId: ROOM, userId: GRACE, displayName: 'Grace' });
    socket.emit({ type: 'chat.typing', roomId: ROOM, userId: ADA, displayName: 'Ada' });
    await flushPromises();
    expect(wrapper.get('[data-testid="chat-typing"]').text()).toBe('Grace is typing…');
    expect(wrapper.find('[data-testid="chat-counter"]').exists()).toBe(false);
    await wrapper.get('[data-testid="chat-input"]').setValue('x'.repeat(1990));
    expect(wrapper.get('[data-testid="chat-counter"]').text()).toBe('10 left');
  });
});
