import { AxdrReader, type CosemData, hex } from './axdr.ts';
import { DlmsError } from './dlms-error.ts';

/**
 * The client side of the COSEM application layer a meter reading needs (DLMS UA Green
 * Book, IEC 62056-5-3): the association (AARQ/AARE, BER-encoded ACSE with the xDLMS
 * InitiateRequest inside), GET-Request-Normal with logical names, and the release
 * (RLRQ/RLRE); carried in the TCP wrapper of IEC 62056-47 (Green Book "TCP-UDP/IP").
 */

/** 2.16.756.5.8.1.1: logical name referencing, no ciphering. */
export const CONTEXT_LN_NO_CIPHERING = Buffer.from([0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01]);
/** 2.16.756.5.8.2.1: low level security, a password. */
export const MECHANISM_LLS = Buffer.from([0x60, 0x85, 0x74, 0x05, 0x08, 0x02, 0x01]);

export const WRAPPER_HEADER_BYTES = 8;
const WRAPPER_VERSION = 0x0001;
/** The largest APDU the agent says it takes; the wrapper refuses any longer reply unread. */
export const MAX_RECEIVE_PDU_BYTES = 1024;
const DLMS_VERSION = 6;
/** Conformance (a 24-bit BIT STRING, bit 0 first): only `get` (bit 19) is asked for. */
const CONFORMANCE_GET = 1 << (23 - 19);

export interface WrapperAddresses {
  /** The client's wPort: the client SAP (16 the public client). */
  readonly client: number;
  /** The server's wPort: the logical device (1 the management logical device). */
  readonly server: number;
}

export function wrap(addresses: WrapperAddresses, apdu: Buffer): Buffer {
  const header = Buffer.alloc(WRAPPER_HEADER_BYTES);
  header.writeUInt16BE(WRAPPER_VERSION, 0);
  header.writeUInt16BE(addresses.client, 2);
  header.writeUInt16BE(addresses.server, 4);
  header.writeUInt16BE(apdu.length, 6);
  return Buffer.concat([header, apdu]);
}

/** True once a whole wrapper frame has come; throws as soon as the header shows it never will be one. */
export function wrappedComplete(received: Buffer): boolean {
  if (received.length < WRAPPER_HEADER_BYTES) {
    return false;
  }
  const version = received.readUInt16BE(0);
  if (version !== WRAPPER_VERSION) {
    throw new DlmsError('garbled', `wrapper version ${String(version)}, not 1: not a DLMS/COSEM TCP reply`);
  }
  const length = received.readUInt16BE(6);
  if (length > MAX_RECEIVE_PDU_BYTES) {
    throw new DlmsError(
      'garbled',
      `the wrapper announces a ${String(length)}-byte APDU, over the ${String(MAX_RECEIVE_PDU_BYTES)} the agent said it takes`,
    );
  }
  return received.length >= WRAPPER_HEADER_BYTES + length;
}

/** The APDU of a whole reply frame, checked to come from the server to this client. */
export function unwrap(addresses: WrapperAddresses, frame: Buffer): Buffer {
  const source = frame.readUInt16BE(2);
  const destination = frame.readUInt16BE(4);
  if (source !== addresses.server || destination !== addresses.client) {
    throw new DlmsError(
      'garbled',
      `a reply from wPort ${String(source)} to ${String(destination)}, not from ${String(addresses.server)} to ${String(addresses.client)}`,
    );
  }
  const length = frame.readUInt16BE(6);
  if (frame.length !== WRAPPER_HEADER_BYTES + length) {
    throw new DlmsError(
      'garbled',
      `${String(frame.length - WRAPPER_HEADER_BYTES - length)} bytes after the APDU`,
    );
  }
  return frame.subarray(WRAPPER_HEADER_BYTES);
}

function ber(tag: number, content: Buffer): Buffer {
  if (content.length > 0x7f) {
    // Nothing the agent sends is this long; a password that would be is refused by the config.
    throw new RangeError('BER content over 127 bytes');
  }
  return Buffer.concat([Buffer.of(tag, content.length), content]);
}

/** The AARQ: LN referencing without ciphering, with a password (LLS) or without (lowest security). */
export function aarq(password: Buffer | undefined): Buffer {
  const initiateRequest = Buffer.of(
    0x01, // InitiateRequest
    0x00, // dedicated-key: absent
    0x00, // response-allowed: the default, TRUE
    0x00, // proposed-quality-of-service: absent
    DLMS_VERSION,
    0x5f,
    0x1f, // [APPLICATION 31] Conformance
    0x04,
    0x00, // 4 bytes, no unused bits
    (CONFORMANCE_GET >> 16) & 0xff,
    (CONFORMANCE_GET >> 8) & 0xff,
    CONFORMANCE_GET & 0xff,
    MAX_RECEIVE_PDU_BYTES >> 8,
    MAX_RECEIVE_PDU_BYTES & 0xff,
  );
  const fields = [ber(0xa1, ber(0x06, CONTEXT_LN_NO_CIPHERING))];
  if (password !== undefined) {
    fields.push(
      ber(0x8a, Buffer.of(0x07, 0x80)), // sender-acse-requirements: authentication
      ber(0x8b, MECHANISM_LLS),
      ber(0xac, ber(0x80, password)), // calling-authentication-value: charstring
    );
  }
  fields.push(ber(0xbe, ber(0x04, initiateRequest)));
  return ber(0x60, Buffer.concat(fields));
}

export const RLRQ = Buffer.of(0x62, 0x03, 0x80, 0x01, 0x00); // release-request-reason: normal

/** ACSE diagnostics a meter gives when it refuses (acse-service-user). */
const USER_DIAGNOSTICS: Readonly<Record<number, string>> = {
  1: 'no reason given',
  2: 'application context name not supported',
  11: 'authentication mechanism not recognised',
  12: 'authentication mechanism required',
  13: 'authentication failure: wrong password',
  14: 'authentication required: give a password',
};

interface BerElement {
  readonly tag: number;
  readonly content: Buffer;
}

function berElements(bytes: Buffer, what: string): BerElement[] {
  const reader = new AxdrReader(bytes);
  const elements: BerElement[] = [];
  while (reader.remaining > 0) {
    const tag = reader.byte(what);
    // BER and A-XDR lengths are written alike for the sizes an AARE has.
    elements.push({ tag, content: reader.take(reader.length(what), what) });
  }
  return elements;
}

function berInteger(element: BerElement | undefined, what: string): number | undefined {
  if (element === undefined) {
    return undefined;
  }
  const [integer] = berElements(element.content, what);
  if (integer?.tag !== 0x02 || integer.content.length !== 1) {
    throw new DlmsError('garbled', `${what} is not a one-byte INTEGER`);
  }
  return integer.content[0];
}

export interface Association {
  /** The largest APDU the meter takes. */
  readonly serverMaxPduBytes: number;
}

/** Reads the AARE: accepted, with an xDLMS InitiateResponse granting `get`, or the refusal and its reason. */
export function parseAare(apdu: Buffer): Association {
  const [top, ...rest] = berElements(apdu, 'AARE');
  if (top?.tag !== 0x61 || rest.length > 0) {
    throw new DlmsError(
      'garbled',
      `the association reply is not an AARE (tag ${hex(top?.tag ?? apdu[0] ?? 0)})`,
    );
  }
  const fields = new Map(berElements(top.content, 'AARE').map((element) => [element.tag, element]));
  const result = berInteger(fields.get(0xa2), 'AARE result');
  const diagnostic = fields.get(0xa3);
  const [source] = diagnostic ? berElements(diagnostic.content, 'AARE diagnostic') : [];
  const reason = berInteger(source, 'AARE diagnostic');
  if (result === undefined) {
    throw new DlmsError('garbled', 'the AARE has no result');
  }
  if (result !== 0) {
    const said =
      source?.tag === 0xa1
        ? (USER_DIAGNOSTICS[reason ?? -1] ?? `diagnostic ${String(reason)}`)
        : `the meter's ACSE said ${String(reason)}`;
    throw new DlmsError(
      'refused',
      `the meter refused the association (${result === 1 ? 'permanently' : 'for now'}): ${said}`,
    );
  }
  const context = fields.get(0xa1);
  const [name] = context ? berElements(context.content, 'AARE context') : [];
  if (name?.tag !== 0x06 || !name.content.equals(CONTEXT_LN_NO_CIPHERING)) {
    throw new DlmsError('garbled', 'the AARE accepts another application context than LN without ciphering');
  }
  const information = fields.get(0xbe);
  const [octets] = information ? berElements(information.content, 'AARE user-information') : [];
  if (octets?.tag !== 0x04) {
    throw new DlmsError('garbled', 'the AARE carries no xDLMS InitiateResponse');
  }
  return parseInitiateResponse(octets.content);
}

function parseInitiateResponse(bytes: Buffer): Association {
  const reader = new AxdrReader(bytes);
  const tag = reader.byte('InitiateResponse');
  if (tag === 0x0e) {
    throw new DlmsError(
      'refused',
      `the meter refused the xDLMS initiate (confirmed service error ${bytes.subarray(1).toString('hex')})`,
    );
  }
  if (tag !== 0x08) {
    throw new DlmsError('garbled', `the AARE's user-information is ${hex(tag)}, not an InitiateResponse`);
  }
  if (reader.byte('negotiated-quality-of-service') !== 0) {
    reader.byte('negotiated-quality-of-service');
  }
  const version = reader.byte('negotiated-dlms-version-number');
  if (version !== DLMS_VERSION) {
    throw new DlmsError('refused', `the meter speaks DLMS version ${String(version)}, the agent 6`);
  }
  const conformanceTag = reader.take(4, 'negotiated-conformance');
  if (conformanceTag.readUInt32BE(0) !== 0x5f1f0400) {
    throw new DlmsError('garbled', 'the negotiated conformance is not a 24-bit BIT STRING');
  }
  const conformance = reader.take(3, 'negotiated-conformance').readUIntBE(0, 3);
  if ((conformance & CONFORMANCE_GET) === 0) {
    throw new DlmsError('refused', 'the meter does not grant GET in this association');
  }
  return { serverMaxPduBytes: reader.take(2, 'server-max-receive-pdu-size').readUInt16BE(0) };
}

export interface AttributeReference {
  readonly classId: number;
  /** Six bytes: A.B.C.D.E.F */
  readonly obis: readonly number[];
  readonly attribute: number;
}

export function formatObis(obis: readonly number[]): string {
  const [a, b, c, d, e, f] = obis.map(String);
  return `${a ?? ''}.${b ?? ''}.${c ?? ''}.${d ?? ''}.${e ?? ''}.${f ?? ''}`;
}

/** GET-Request-Normal for one attribute; the invoke id (0–15) pairs it with its response. */
export function getRequest(invokeId: number, reference: AttributeReference): Buffer {
  const request = Buffer.alloc(13);
  request[0] = 0xc0;
  request[1] = 0x01;
  request[2] = 0xc0 | (invokeId & 0x0f); // priority high, confirmed
  request.writeUInt16BE(reference.classId, 3);
  Buffer.from(reference.obis).copy(request, 5);
  request[11] = reference.attribute;
  request[12] = 0x00; // no selective access
  return request;
}

/** Data-Access-Result values (Green Book) that a GET can end with. */
const ACCESS_RESULTS: Readonly<Record<number, string>> = {
  1: 'hardware fault',
  2: 'temporary failure',
  3: 'read-write denied',
  4: 'object undefined',
  9: 'object class inconsistent',
  11: 'object unavailable',
  12: 'type unmatched',
  13: 'scope of access violated',
  14: 'data block unavailable',
  250: 'other reason',
};

export type GetResult =
  | { readonly ok: true; readonly data: CosemData }
  | { readonly ok: false; readonly result: number; readonly meaning: string };

/** Reads a GET-Response-Normal to the request with this invoke id. */
export function parseGetResponse(invokeId: number, apdu: Buffer): GetResult {
  const reader = new AxdrReader(apdu);
  const tag = reader.byte('GET response');
  if (tag === 0xd8) {
    // ExceptionResponse: state-error, service-error.
    throw new DlmsError(
      'access',
      `the meter answered with an exception (${apdu.subarray(1).toString('hex')})`,
    );
  }
  if (tag === 0x0e) {
    throw new DlmsError(
      'access',
      `the meter answered with a confirmed service error (${apdu.subarray(1).toString('hex')})`,
    );
  }
  if (tag !== 0xc4) {
    throw new DlmsError('garbled', `the reply is ${hex(tag)}, not a GET response`);
  }
  const kind = reader.byte('GET response type');
  if (kind !== 0x01) {
    throw new DlmsError(
      'garbled',
      kind === 0x02
        ? 'the meter sends the value in blocks, which the agent did not ask for'
        : `GET response type ${String(kind)}, not normal`,
    );
  }
  const answered = reader.byte('invoke-id-and-priority') & 0x0f;
  if (answered !== (invokeId & 0x0f)) {
    throw new DlmsError(
      'garbled',
      `a response to invoke id ${String(answered)}, not ${String(invokeId & 0x0f)}`,
    );
  }
  const choice = reader.byte('GET result');
  if (choice === 0x01) {
    const result = reader.byte('data-access-result');
    if (reader.remaining !== 0) {
      throw new DlmsError('garbled', `${String(reader.remaining)} bytes after the access result`);
    }
    return { ok: false, result, meaning: ACCESS_RESULTS[result] ?? `result ${String(result)}` };
  }
  if (choice !== 0x00) {
    throw new DlmsError('garbled', `GET result choice ${String(choice)}, neither data nor an access result`);
  }
  const data = reader.data();
  if (reader.remaining !== 0) {
    throw new DlmsError('garbled', `${String(reader.remaining)} bytes after the data`);
  }
  return { ok: true, data };
}
