import { voice } from '@livekit/agents';

/** What the brain needs of an AgentSession: its conversation events. */
export type ConversationEvents = Pick<voice.AgentSession, 'on' | 'off'>;

/** A caller message that is not committed yet. */
export interface PendingCommit {
  /** True when it is committed, false when another caller message is committed first. */
  committed: Promise<boolean>;
  /** Stops waiting (the turn ended another way). */
  dispose(): void;
}

// Commit events come in order, and a stream asks about the newest message only: a few suffice.
const REMEMBERED = 16;

/**
 * Tells a speculative chat() from a committed one. agents-js (1.9, agent_activity.ts) runs a
 * preemptive generation with a user message that is not in the conversation yet. When it uses
 * that generation at the end of the turn it schedules the speech, and the reply task then adds
 * that very message (same id) to the session's history, which emits `conversation_item_added`.
 * When it throws the generation away it cancels the speech handle instead: the message is never
 * added, and the reply task aborts the LLM stream. So "this message was added" is the commit,
 * and an aborted stream before that is the discard. A normal turn's message is added as soon as
 * its speech is scheduled, before the stream starts running (LLMStream starts on a timer).
 *
 * The abort does not always reach the stream (agents-js may be blocked writing to a text stream
 * nobody reads yet), so the commit of any other caller message also discards a waiting one: a
 * turn commits one message, and a provisional one that lost is never committed later.
 */
export class TurnCommits {
  #committed: string[] = [];
  #waiters = new Map<string, (committed: boolean) => void>();

  /** Follows a session's conversation; returns the function that stops following it. */
  follow(session: ConversationEvents): () => void {
    const onItem = ({ item }: voice.ConversationItemAddedEvent) => {
      if (item.type === 'message' && item.role === 'user') this.#commit(item.id);
    };
    session.on(voice.AgentSessionEventTypes.ConversationItemAdded, onItem);
    return () => session.off(voice.AgentSessionEventTypes.ConversationItemAdded, onItem);
  }

  /** Undefined when the message is committed already; otherwise a wait for its commit. */
  pending(messageId: string): PendingCommit | undefined {
    if (this.#committed.includes(messageId)) return undefined;
    // One stream per message: agents-js builds a new message for each preemptive attempt.
    this.#waiters.get(messageId)?.(false);
    let resolve!: (committed: boolean) => void;
    const committed = new Promise<boolean>((r) => (resolve = r));
    this.#waiters.set(messageId, resolve);
    return {
      committed,
      dispose: () => {
        if (this.#waiters.get(messageId) === resolve) this.#waiters.delete(messageId);
      },
    };
  }

  #commit(messageId: string): void {
    this.#committed.push(messageId);
    if (this.#committed.length > REMEMBERED) this.#committed.shift();
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const [id, resolve] of waiters) resolve(id === messageId);
  }
}
