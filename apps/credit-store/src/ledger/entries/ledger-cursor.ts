/** Opaque page cursors: the last entry id of a page, so clients cannot depend on its shape. */
export function encodeCursor(entryId: string): string {
  return Buffer.from(`e:${entryId}`).toString('base64url');
}

/** The entry id inside a cursor, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): string | undefined {
  const decoded = Buffer.from(cursor, 'base64url').toString();
  const match = /^e:(\d{1,19})$/.exec(decoded);
  return match?.[1];
}
