import { useEffect, useMemo } from 'react';
import { OnceLogger } from '../debug/expose';
import { CallStatsMonitor } from './CallStatsMonitor';
import { STATS_INTERVAL_MS, type RtcStat } from '../media/connectionQuality';
import { useCallStore } from '../store/callStore';
import { useQualityStore } from '../store/qualityStore';

const log = new OnceLogger('connection stats');

/** Reads the call's stats every STATS_INTERVAL_MS while mounted; answers the monitor (to dismiss the suggestion). */
export function useCallStats(getStats: () => Promise<RTCStatsReport | null>): CallStatsMonitor {
  const monitor = useMemo(
    () =>
      new CallStatsMonitor({
        getStats: async () => {
          const report = await getStats();
          return report === null ? null : ([...report.values()] as RtcStat[]);
        },
        callState: () => useCallStore.getState(),
        quality: () => useQualityStore.getState(),
        now: () => performance.now(),
      }),
    [getStats],
  );
  useEffect(() => {
    const timer = setInterval(() => {
      monitor.tick().catch((e: unknown) => log.warn('reading connection stats failed', e));
    }, STATS_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [monitor]);
  return monitor;
}
