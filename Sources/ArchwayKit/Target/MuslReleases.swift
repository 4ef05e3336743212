/// The musl release that first exports a symbol a binary binds: musl has no symbol versions, so a
/// program built against a newer musl finds out only when the loader says "Error relocating …:
/// symbol not found". Read from musl's own record, the `WHATSNEW` file of its source (musl 1.2.3,
/// Debian's `musl` source package), and its headers:
/// - 1.2.0 made `time_t` 64-bit on 32-bit archs: the headers redirect every function that takes a
///   time to a new symbol (`clock_gettime` → `__clock_gettime64`, `stat` → `__stat_time64`). The
///   list below is every `__REDIR(name, target)` target in musl 1.2.3's `include/` (`grep -rhoE
///   "__REDIR\([a-z_0-9]+, *[a-z_0-9]+\)" include`); 64-bit archs have none of them.
/// - The functions WHATSNEW names as new features from 1.1.20 to 1.2.3.
///
/// A symbol missing here has no known floor: the table can miss a floor, never invent one.
package enum MuslReleases {
  /// Every symbol, by the release that added it.
  private static let additions: [(release: String, symbols: [String])] = [
    ("1.1.20", ["getrandom", "getentropy", "mlock2", "memfd_create", "explicit_bzero"]),
    ("1.1.21", ["name_to_handle_at", "open_by_handle_at"]),
    ("1.1.22", ["membarrier"]),
    (
      "1.1.24",
      [
        "secure_getenv", "copy_file_range", "posix_spawn_file_actions_addchdir_np",
        "posix_spawn_file_actions_addfchdir_np",
      ]
    ),
    ("1.2.0", time64),
    ("1.2.2", ["_Fork", "reallocarray", "gettid", "tcgetwinsize", "tcsetwinsize"]),
    ("1.2.3", ["qsort_r", "pthread_getname_np"]),
  ]

  /// musl 1.2's 64-bit time symbols of 32-bit archs.
  package static let time64 = [
    "__adjtime64", "__adjtimex_time64", "__aio_suspend_time64", "__clock_adjtime64", "__clock_getres_time64",
    "__clock_gettime64", "__clock_nanosleep_time64", "__clock_settime64", "__cnd_timedwait_time64", "__ctime64",
    "__ctime64_r", "__difftime64", "__dlsym_time64", "__fstat_time64", "__fstatat_time64", "__ftime64",
    "__futimens_time64", "__futimes_time64", "__futimesat_time64", "__getitimer_time64", "__getrusage_time64",
    "__gettimeofday_time64", "__gmtime64", "__gmtime64_r", "__localtime64", "__localtime64_r", "__lstat_time64",
    "__lutimes_time64", "__mktime64", "__mq_timedreceive_time64", "__mq_timedsend_time64", "__mtx_timedlock_time64",
    "__nanosleep_time64", "__ppoll_time64", "__pselect_time64", "__pthread_cond_timedwait_time64",
    "__pthread_mutex_timedlock_time64", "__pthread_rwlock_timedrdlock_time64", "__pthread_rwlock_timedwrlock_time64",
    "__pthread_timedjoin_np_time64", "__recvmmsg_time64", "__sched_rr_get_interval_time64", "__select_time64",
    "__sem_timedwait_time64", "__semtimedop_time64", "__setitimer_time64", "__settimeofday_time64",
    "__sigtimedwait_time64", "__stat_time64", "__stime64", "__thrd_sleep_time64", "__time64", "__timegm_time64",
    "__timer_gettime64", "__timer_settime64", "__timerfd_gettime64", "__timerfd_settime64", "__timespec_get_time64",
    "__utime64", "__utimensat_time64", "__utimes_time64", "__wait3_time64", "__wait4_time64",
  ]

  private static let releases: [String: DottedVersion] = {
    var table: [String: DottedVersion] = [:]
    for (release, symbols) in additions {
      for symbol in symbols { table[symbol] = DottedVersion(release)! }
    }
    return table
  }()

  /// Every symbol the table knows, with its release (for tests).
  package static var known: [String: DottedVersion] { releases }

  /// The first musl release that exports `symbol`; nil when the table does not know it.
  package static func release(of symbol: String) -> DottedVersion? { releases[symbol] }

  /// The oldest musl that has every one of `imports`, and the imports that need that release; nil
  /// when none needs a known release.
  package static func floor(of imports: [String]) -> (release: DottedVersion, symbols: [String])? {
    var highest: DottedVersion?
    var symbols: [String] = []
    for name in imports {
      guard let release = releases[name] else { continue }
      if highest.map({ release > $0 }) ?? true {
        (highest, symbols) = (release, [name])
      } else if release == highest {
        symbols.append(name)
      }
    }
    return highest.map { ($0, symbols.sorted()) }
  }
}
