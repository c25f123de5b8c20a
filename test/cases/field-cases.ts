import type { FieldType } from '../../src/domain/fields/field-type.js';
import { attachmentCases } from './attachment.cases.js';
import { autoNumberCases } from './auto-number.cases.js';
import { buttonCases } from './button.cases.js';
import { cascaderCases } from './cascader.cases.js';
import { checkboxCases } from './checkbox.cases.js';
import { createdByCases } from './created-by.cases.js';
import { createdTimeCases } from './created-time.cases.js';
import { currencyCases } from './currency.cases.js';
import { dateTimeCases } from './date-time.cases.js';
import { emailCases } from './email.cases.js';
import type { FieldCases } from './field-case.js';
import { formulaCases } from './formula.cases.js';
import { lastModifiedByCases } from './last-modified-by.cases.js';
import { lastModifiedTimeCases } from './last-modified-time.cases.js';
import { magicLookUpCases } from './magic-lookup.cases.js';
import { memberCases } from './member.cases.js';
import { multiSelectCases } from './multi-select.cases.js';
import { numberCases } from './number.cases.js';
import { oneWayLinkCases } from './one-way-link.cases.js';
import { percentCases } from './percent.cases.js';
import { phoneCases } from './phone.cases.js';
import { ratingCases } from './rating.cases.js';
import { singleSelectCases } from './single-select.cases.js';
import { singleTextCases } from './single-text.cases.js';
import { textCases } from './text.cases.js';
import { twoWayLinkCases } from './two-way-link.cases.js';
import { urlCases } from './url.cases.js';
import { workDocCases } from './work-doc.cases.js';

/** Every field type's case table; the compiler rejects a missing one. */
export const FIELD_CASES = {
  SingleText: singleTextCases,
  Text: textCases,
  SingleSelect: singleSelectCases,
  MultiSelect: multiSelectCases,
  Number: numberCases,
  Currency: currencyCases,
  Percent: percentCases,
  DateTime: dateTimeCases,
  Attachment: attachmentCases,
  Member: memberCases,
  Checkbox: checkboxCases,
  Rating: ratingCases,
  URL: urlCases,
  Phone: phoneCases,
  Email: emailCases,
  OneWayLink: oneWayLinkCases,
  TwoWayLink: twoWayLinkCases,
  MagicLookUp: magicLookUpCases,
  Formula: formulaCases,
  AutoNumber: autoNumberCases,
  CreatedTime: createdTimeCases,
  LastModifiedTime: lastModifiedTimeCases,
  CreatedBy: createdByCases,
  LastModifiedBy: lastModifiedByCases,
  Cascader: cascaderCases,
  WorkDoc: workDocCases,
  Button: buttonCases,
} satisfies Record<FieldType, FieldCases>;
