/** The Fusion envelope (aitable-fusion-api.md §1.3, §1.4), keys in the reference's order. */
export interface SuccessEnvelope<T> {
  code: 200;
  success: true;
  data?: T;
  message: 'SUCCESS';
}

/** A success without `data` (DELETE records, DELETE embed link: aitable-fusion-api.md §2.5). */
export interface DeleteEnvelope {
  code: 200;
  success: true;
  message: 'SUCCESS';
}

export const deleted = (): DeleteEnvelope => ({ code: 200, success: true, message: 'SUCCESS' });

export interface ErrorEnvelope {
  success: false;
  code: number;
  message: string;
}

export function success<T>(data: T): SuccessEnvelope<T> {
  return { code: 200, success: true, data, message: 'SUCCESS' };
}

export function failure(code: number, message: string): ErrorEnvelope {
  return { success: false, code, message };
}
