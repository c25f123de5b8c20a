import { z } from 'zod';
import { defineFieldType } from '../field-type.js';
import { parseWith, requireObject } from '../shared/property.js';
import { rejectWrite } from '../shared/read-only.js';
import { colorOf, PALETTE_SIZE } from '../shared/select-options.js';

export interface ButtonProperty {
  text: string;
  style: { type: 'Background' | 'OnlyText' /** Palette index. */; color: number };
  action: { type?: 'OpenLink'; openLink?: { type: 'Url' | 'Expression'; expression?: string } };
}

const schema = z.object({
  text: z.string().optional(),
  style: z
    .object({
      type: z.enum(['Background', 'OnlyText']).optional(),
      color: z.object({ name: z.string().optional(), value: z.string().optional() }).optional(),
    })
    .optional(),
  action: z
    .object({
      type: z.enum(['OpenLink']).optional(),
      openLink: z
        .object({ type: z.enum(['Url', 'Expression']).optional(), expression: z.string().optional() })
        .optional(),
    })
    .optional(),
});

const DEFAULT_COLOR = 50;
const paletteIndexOf = (name: string | undefined) =>
  Array.from({ length: PALETTE_SIZE }, (_, i) => i).find((i) => colorOf(i).name === name);

/**
 * Property optional (§8.2): defaults text `Click to start`, Background style, colour 50; a style colour is picked by
 * its palette name. (The reference's Joi schema types `style.type` / `openLink.type` as numbers while the transform
 * expects names, so it can never accept them; we accept the names.)
 */
function parseButton(input: unknown): ButtonProperty {
  const p = input === null || input === undefined ? {} : parseWith(schema, requireObject(input));
  const openLink = p.action?.type === 'OpenLink' ? p.action.openLink : undefined;
  return {
    text: p.text || 'Click to start',
    style: { type: p.style?.type ?? 'Background', color: paletteIndexOf(p.style?.color?.name) ?? DEFAULT_COLOR },
    action:
      p.action?.type === 'OpenLink'
        ? {
            type: 'OpenLink',
            ...(openLink
              ? {
                  openLink: {
                    type: openLink.type ?? 'Url',
                    ...(openLink.expression ? { expression: openLink.expression } : {}),
                  },
                }
              : {}),
          }
        : {},
  };
}

const readOnlyMessage = "Button field can't be edited";

// No value at all: the reference registers no validator (a write is a 500 there) and never returns the key.
export const buttonField = defineFieldType<ButtonProperty>({
  type: 'Button',
  cellKind: 'json',
  multiple: false,
  writable: false,
  primaryCapable: false,
  readOnlyMessage,
  property: {
    parse: parseButton,
    toApi: (p) => ({ text: p.text, style: { type: p.style.type, color: colorOf(p.style.color) }, action: p.action }),
  },
  write: rejectWrite(readOnlyMessage),
  read: {
    json: () => undefined,
    string: () => null,
  },
});
