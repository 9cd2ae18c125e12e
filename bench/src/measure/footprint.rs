//! Footprint: peak resident memory of each process (`VmHWM` from `/proc`), and disk bytes per
//! event of the JetStream store and of each service's sled database.

use crate::report::Measurements;
use crate::stack::{Nats, Service, disk_bytes};

const MIB: f64 = 1024.0 * 1024.0;

/// Records peak RSS of `nats` and each service present, and disk bytes per event for `events`.
pub fn record(m: &mut Measurements, nats: &Nats, services: &[&Service], events: u64) {
    if let Some(rss) = nats.proc.peak_rss() {
        m.set("footprint.rss.nats_mib", rss as f64 / MIB);
    }
    let events = events.max(1) as f64;
    m.set(
        "footprint.disk.jetstream_bytes_per_event",
        disk_bytes(&nats.store) as f64 / events,
    );
    for service in services {
        let (rss_key, disk_key) = match service.proc.name.as_str() {
            "ingest" => (
                "footprint.rss.ingest_mib",
                "footprint.disk.sled_ingest_bytes_per_event",
            ),
            "projection" => (
                "footprint.rss.projection_mib",
                "footprint.disk.sled_projection_bytes_per_event",
            ),
            "notifier" => (
                "footprint.rss.notifier_mib",
                "footprint.disk.sled_notifier_bytes_per_event",
            ),
            _ => continue,
        };
        if let Some(rss) = service.proc.peak_rss() {
            m.set(rss_key, rss as f64 / MIB);
        }
        m.set(disk_key, disk_bytes(&service.data_dir) as f64 / events);
    }
}
