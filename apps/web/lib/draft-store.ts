const PREFIX = "alma.draft.";

/** Drafts live in localStorage per conversation, so a reload or a lost connection never loses typed text. */
export function draftKey(conversationId: string | null): string {
  return PREFIX + (conversationId ?? "new");
}

export function loadDraft(conversationId: string | null): string {
  try {
    return localStorage.getItem(draftKey(conversationId)) ?? "";
  } catch {
    return "";
  }
}

export function saveDraft(conversationId: string | null, text: string): void {
  try {
    if (text === "") localStorage.removeItem(draftKey(conversationId));
    else localStorage.setItem(draftKey(conversationId), text);
  } catch {
    // storage full or disabled: the draft stays in memory only
  }
}
