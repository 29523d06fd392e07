import Glibc
import ProctorTestSupport

/// The memory a group of processes holds in RAM, each physical page once.
///
/// Adding up their VmRSS counts a page once per process that maps it: the
/// Swift runtime, libc and OpenCV are the same pages in the agent and in every
/// plugin child, so the sum overstates what the tree costs the machine (and
/// Pss gives a share of each shared page to processes outside the tree). Here
/// the resident pages of every mapping are looked up in /proc/<pid>/pagemap
/// and their page frames collected in one set. Reading frame numbers takes
/// CAP_SYS_ADMIN (the kernel reads them as 0 otherwise): without it, nil.
enum ResidentPages {
    static func uniqueMiB(of pids: [Int32]) -> Double? {
        var frames = Set<UInt64>()
        for pid in pids {
            guard let found = residentFrames(of: pid) else { return nil }
            frames.formUnion(found)
        }
        return Double(frames.count) * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }

    /// The page frames behind `pid`'s resident pages, reading pagemap only for
    /// mappings smaps says have some (a thread's stack reserve or an allocator's
    /// arena can span gigabytes of address space with nothing in it).
    private static func residentFrames(of pid: Int32) -> Set<UInt64>? {
        let smaps = Processes.procFile(pid, "smaps")
        let descriptor = open("/proc/\(pid)/pagemap", O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        let page = UInt64(sysconf(Int32(_SC_PAGESIZE)))
        var frames = Set<UInt64>(), range: (start: UInt64, end: UInt64)?, sawPresent = false
        for line in smaps.split(separator: "\n") {
            if let dash = line.firstIndex(of: "-"), line.first?.isHexDigit == true, line[dash...].contains(" ") {
                let addresses = line.prefix(while: { $0 != " " }).split(separator: "-")
                range = addresses.count == 2 ? (UInt64(addresses[0], radix: 16) ?? 0, UInt64(addresses[1], radix: 16) ?? 0) : nil
                continue
            }
            guard line.hasPrefix("Rss:"), let (start, end) = range,
                  let kib = line.split(separator: " ").dropFirst().first.flatMap({ UInt64($0) }), kib > 0 else { continue }
            let pages = Int((end - start) / page)
            var entries = [UInt64](repeating: 0, count: pages)
            // The kernel hands pagemap out in pieces: read until the whole range is in.
            let wanted = pages * 8
            var done = 0
            while done < wanted {
                let read = entries.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, wanted - done, off_t(start / page * 8) + off_t(done)) }
                guard read > 0 else { break }
                done += read
            }
            guard done == wanted else { continue }
            for entry in entries where entry >> 63 & 1 == 1 {
                sawPresent = true
                let frame = entry & ((1 << 55) - 1)
                guard frame != 0 else { return nil }  // present, but its frame hidden from us: not root
                frames.insert(frame)
            }
        }
        return sawPresent ? frames : nil
    }
}
