import { antminer } from './antminer.ts';
import { auradine } from './auradine.ts';
import { avalon } from './avalon.ts';
import { axeos } from './axeos.ts';
import { braiinsRest } from './braiins-rest.ts';
import { braiinsRpc } from './braiins.ts';
import { elphapex } from './elphapex.ts';
import { epic } from './epic.ts';
import type { MinerDriver } from './driver.ts';
import { genericCgminer } from './generic-cgminer.ts';
import { goldshell } from './goldshell.ts';
import { gminer } from './gpu/gminer.ts';
import { innosilicon } from './innosilicon.ts';
import { lolminer } from './gpu/lolminer.ts';
import { nbminer } from './gpu/nbminer.ts';
import { teamredminer } from './gpu/teamredminer.ts';
import { trex } from './gpu/trex.ts';
import { xmrig } from './gpu/xmrig.ts';
import { luxos } from './luxos.ts';
import { whatsminerV3 } from './whatsminer-v3.ts';
import { whatsminer } from './whatsminer.ts';

/** Every driver by the name a config's device list may give it. */
export const DRIVERS: Readonly<Record<string, MinerDriver>> = Object.fromEntries(
  [
    antminer,
    auradine,
    avalon,
    axeos,
    braiinsRest,
    braiinsRpc,
    elphapex,
    epic,
    genericCgminer,
    gminer,
    goldshell,
    innosilicon,
    lolminer,
    luxos,
    nbminer,
    teamredminer,
    trex,
    whatsminer,
    whatsminerV3,
    xmrig,
  ].map((driver) => [driver.name, driver]),
);

export const DRIVER_NAMES = Object.keys(DRIVERS).sort();
