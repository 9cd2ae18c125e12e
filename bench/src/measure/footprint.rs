//! Footprint: peak resident memory of each process (`VmHWM` from `/proc`), and disk bytes per
//! event of the JetStream store and of each service's sled database.

use liaison_testkit::measure::disk_bytes;
use liaison_testkit::{NatsServer, Service, ServiceProcess};

use crate::report::Measurements;

const MIB: f64 = 1024.0 * 1024.0;

/// Records peak RSS of `nats` and each service present, and disk bytes per event for `events`.
pub fn record(
    m: &mut Measurements,
    nats: &mut NatsServer,
    services: &mut [&mut ServiceProcess],
    events: u64,
) {
    if let Some(rss) = nats.peak_rss() {
        m.set("footprint.rss.nats_mib", rss as f64 / MIB);
    }
    let events = events.max(1) as f64;
    m.set(
        "footprint.disk.jetstream_bytes_per_event",
        disk_bytes(nats.store_dir()) as f64 / events,
    );
    for service in services {
        let (rss_key, disk_key) = match service.service() {
            Service::Ingest => (
                "footprint.rss.ingest_mib",
                Some("footprint.disk.sled_ingest_bytes_per_event"),
            ),
            Service::Projection => (
                "footprint.rss.projection_mib",
                Some("footprint.disk.sled_projection_bytes_per_event"),
            ),
            Service::Notifier => (
                "footprint.rss.notifier_mib",
                Some("footprint.disk.sled_notifier_bytes_per_event"),
            ),
            // The reader keeps only the registry of the log (and its articles): its disk is not
            // a figure of the issue, its memory while following the large log is.
            Service::Reader => ("footprint.rss.reader_mib", None),
            _ => continue,
        };
        if let Some(rss) = service.peak_rss() {
            m.set(rss_key, rss as f64 / MIB);
        }
        if let Some(disk_key) = disk_key {
            m.set(disk_key, disk_bytes(service.data_dir()) as f64 / events);
        }
    }
}
