import type { ChatMessage } from '@parley/protocol';
import type { ChatMessagesTable } from '../../platform/db/schema.js';

export function toChatMessage(r: ChatMessagesTable): ChatMessage {
  return {
    id: r.id,
    seq: Number(r.seq),
    roomId: r.room_id,
    userId: r.user_id,
    displayName: r.display_name,
    text: r.text,
    sentAt: r.sent_at,
  };
}
