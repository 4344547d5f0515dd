import type { ReportLanguage } from '@hashwatt/schemas';

/**
 * A regulator report as words and figures, before it is a file: the CSV and the PDF
 * are two renderings of this one document, so they can never disagree.
 */

/** A value twice: `raw` for machines (plain digits, ISO 8601), `shown` for people, in the report's language. */
export interface ReportCell {
  readonly raw: string;
  readonly shown: string;
  /** A figure the report computed (may start with a minus sign); every other cell is text. */
  readonly numeric?: true;
}

export interface ReportRow {
  readonly key: string;
  readonly label: string;
  readonly value: ReportCell;
  readonly unit: string;
}

export interface ReportTable {
  readonly key: string;
  readonly title: string;
  /** A `wide` column (an address, a transaction id) is printed on its own line under its row, whole. */
  readonly columns: readonly { readonly key: string; readonly label: string; readonly wide?: true }[];
  readonly rows: readonly (readonly ReportCell[])[];
}

export interface ReportSection {
  readonly farmId: string | null;
  readonly heading: string;
  readonly rows: readonly ReportRow[];
  readonly tables: readonly ReportTable[];
}

export interface ReportDocument {
  readonly language: ReportLanguage;
  readonly direction: 'ltr' | 'rtl';
  readonly title: string;
  readonly header: readonly ReportRow[];
  readonly sections: readonly ReportSection[];
  readonly footer: string;
  /** The key that signs it: its fingerprint and public key, printed after the footer. */
  readonly signingKey: readonly ReportRow[];
  /** What an empty table says. */
  readonly none: string;
}

export type ReportScope =
  | { readonly kind: 'farm'; readonly farmId: string }
  | { readonly kind: 'jurisdiction'; readonly country: string; readonly regions: readonly string[] };

/** What a report says of itself: its id, when and for whom it is issued, and the key that signs it. */
export interface ReportMeta {
  readonly id: string;
  readonly issuedAtMs: number;
  readonly scope: ReportScope;
  readonly language: ReportLanguage;
  /** The pool key signing it: fingerprint (hex) and raw public key (base64). */
  readonly signingKey: { readonly fingerprint: string; readonly publicKey: string };
}
