/** Why a DLMS/COSEM meter could not be read, beside the link's own failures. */
export type DlmsFailure =
  /** The reply is not what the standard allows there. */
  | 'garbled'
  /** The meter refused the association: password, client address or context. */
  | 'refused'
  /** The meter answered a GET with an access error, or an exception. */
  | 'access'
  /** A value or its scaler_unit is not what the register must hold. */
  | 'value'
  /** The HDLC data link was refused or broken: DM, FRMR, a frame out of sequence. */
  | 'link';

export class DlmsError extends Error {
  constructor(
    readonly reason: DlmsFailure,
    message: string,
  ) {
    super(message);
    this.name = 'DlmsError';
  }
}
