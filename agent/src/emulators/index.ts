/**
 * The device and meter emulators the demo farm and the pool's tests drive, with the
 * register maps a meter emulator serves.
 */
export { startCgminerEmulator, type RunningEmulator } from './cgminer-emulator.ts';
export { startDemoAntminer, type DemoAntminer } from './demo-antminer.ts';
export { DemoRig, meterFollows } from './demo-rig.ts';
export { startGoldshellWeb, type RunningGoldshellWeb } from './goldshell-web-emulator.ts';
export { startHttpEmulator, type RunningHttpEmulator } from './http-emulator.ts';
export { startMeterEmulator, type MeterEmulator } from './meter-emulator.ts';
export { startMercuryEmulator, type MercuryEmulator } from './mercury-emulator.ts';
export { iecDataLines, startIecEmulator, type IecEmulator } from './iec62056-emulator.ts';
export { startVnishWeb, type RunningVnishWeb } from './vnish-web-emulator.ts';
export { REGISTER_MAPS } from '../meters/register-maps.ts';
