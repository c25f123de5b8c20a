import { get, has } from 'node-emoji';
import { z } from 'zod';

/**
 * Rating / Checkbox icons (aitable-fusion-api.md §8.2): create takes an emoji slug (`star`, `white_check_mark`),
 * GET shows the native character. Slugs come from node-emoji's table, plus emoji-mart's `flag-xx` country flags
 * (the reference's own tests use `flag-ni`), which node-emoji names by country instead.
 */
const FLAG = /^flag-([a-z]{2})$/;
const SLUG = /^[a-z0-9_+-]+$/;

export function emojiNative(slug: string): string | undefined {
  const flag = FLAG.exec(slug);
  if (flag) return [...flag[1]!].map((c) => String.fromCodePoint(0x1f1e6 + c.charCodeAt(0) - 97)).join('');
  return SLUG.test(slug) && has(slug) ? get(slug) : undefined;
}

export const isEmojiSlug = (value: unknown): value is string =>
  typeof value === 'string' && emojiNative(value) !== undefined;

/** `icon` property key: required, and an emoji slug (`icon is not Emoji slug`, the reference's wording). */
export const emojiSlug = z.string().superRefine((value, ctx) => {
  if (!isEmojiSlug(value)) ctx.addIssue({ code: 'custom', message: 'icon is not Emoji slug', params: { bare: true } });
});
