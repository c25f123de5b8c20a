import type { FieldDef, FieldType, FieldTypeModule } from './field-type.js';
import { attachmentField } from './types/attachment.field.js';
import { autoNumberField } from './types/auto-number.field.js';
import { buttonField } from './types/button.field.js';
import { cascaderField } from './types/cascader.field.js';
import { checkboxField } from './types/checkbox.field.js';
import { createdByField } from './types/created-by.field.js';
import { createdTimeField } from './types/created-time.field.js';
import { currencyField } from './types/currency.field.js';
import { dateTimeField } from './types/date-time.field.js';
import { emailField } from './types/email.field.js';
import { formulaField } from './types/formula.field.js';
import { lastModifiedByField } from './types/last-modified-by.field.js';
import { lastModifiedTimeField } from './types/last-modified-time.field.js';
import { magicLookUpField } from './types/magic-lookup.field.js';
import { memberField } from './types/member.field.js';
import { multiSelectField } from './types/multi-select.field.js';
import { numberField } from './types/number.field.js';
import { oneWayLinkField } from './types/one-way-link.field.js';
import { percentField } from './types/percent.field.js';
import { phoneField } from './types/phone.field.js';
import { ratingField } from './types/rating.field.js';
import { singleSelectField } from './types/single-select.field.js';
import { singleTextField } from './types/single-text.field.js';
import { textField } from './types/text.field.js';
import { twoWayLinkField } from './types/two-way-link.field.js';
import { urlField } from './types/url.field.js';
import { workDocField } from './types/work-doc.field.js';

/** Every AITable API field type, one module each; the compiler rejects a missing one. */
export const FIELD_TYPES = {
  SingleText: singleTextField,
  Text: textField,
  SingleSelect: singleSelectField,
  MultiSelect: multiSelectField,
  Number: numberField,
  Currency: currencyField,
  Percent: percentField,
  DateTime: dateTimeField,
  Attachment: attachmentField,
  Member: memberField,
  Checkbox: checkboxField,
  Rating: ratingField,
  URL: urlField,
  Phone: phoneField,
  Email: emailField,
  OneWayLink: oneWayLinkField,
  TwoWayLink: twoWayLinkField,
  MagicLookUp: magicLookUpField,
  Formula: formulaField,
  AutoNumber: autoNumberField,
  CreatedTime: createdTimeField,
  LastModifiedTime: lastModifiedTimeField,
  CreatedBy: createdByField,
  LastModifiedBy: lastModifiedByField,
  Cascader: cascaderField,
  WorkDoc: workDocField,
  Button: buttonField,
} satisfies Record<FieldType, FieldTypeModule>;

export const fieldTypeOf = (type: FieldType): FieldTypeModule => FIELD_TYPES[type];

/** True for the link field types (their cells name records of another datasheet). */
export const isLinkType = (type: FieldType): boolean => FIELD_TYPES[type].linkTarget !== undefined;

/** The datasheet a link field's cells name records of; null for other fields. */
export const linkTargetOf = (field: FieldDef): string | null =>
  fieldTypeOf(field.type).linkTarget?.(field.property) ?? null;

/** A type name as a create may send it: a module's own name, or a legacy alias of one (`MagicLink`); else unchanged. */
export function resolveTypeName(name: unknown): unknown {
  if (typeof name !== 'string') return name;
  return Object.values(FIELD_TYPES).find((m: FieldTypeModule) => m.aliases?.includes(name))?.type ?? name;
}
