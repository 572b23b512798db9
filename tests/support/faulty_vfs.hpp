#pragma once
// A SQLite VFS that passes everything to the default one, except that writes to a write-ahead
// log fail with SQLITE_IOERR_WRITE while armed: an I/O error (a full disk, a failing device) at
// a moment the test chooses. Open a store::Database with DatabaseOptions::vfs = kFaultyVfsName.

#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <string_view>

namespace disputed::testing {

inline constexpr const char* kFaultyVfsName = "disputed-faulty";

class FaultyVfs {
 public:
  /// Registers the VFS once per process (not as the default) and returns it.
  static FaultyVfs& instance() {
    static FaultyVfs vfs;
    return vfs;
  }

  /// While armed, every write to a -wal file fails.
  void arm() { armed_ = true; }
  void disarm() { armed_ = false; }
  /// Writes that failed because the VFS was armed.
  int injected() const { return injected_; }

 private:
  struct File {
    sqlite3_file base;  // must be first: SQLite sees a sqlite3_file*
    bool wal;
    sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
  };

  FaultyVfs() {
    real_ = sqlite3_vfs_find(nullptr);
    vfs_ = *real_;
    vfs_.zName = kFaultyVfsName;
    vfs_.szOsFile = int(sizeof(File)) + real_->szOsFile;
    vfs_.pAppData = this;
    vfs_.xOpen = &FaultyVfs::open;
    vfs_.pNext = nullptr;
    io_.iVersion = 3;
    io_.xClose = [](sqlite3_file* f) {
      return as_file(f)->real()->pMethods->xClose(as_file(f)->real());
    };
    io_.xRead = [](sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
      return real_of(f)->pMethods->xRead(real_of(f), buf, n, off);
    };
    io_.xWrite = [](sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
      FaultyVfs& self = instance();
      if (as_file(f)->wal && self.armed_) {
        ++self.injected_;
        return SQLITE_IOERR_WRITE;
      }
      return real_of(f)->pMethods->xWrite(real_of(f), buf, n, off);
    };
    io_.xTruncate = [](sqlite3_file* f, sqlite3_int64 size) {
      return real_of(f)->pMethods->xTruncate(real_of(f), size);
    };
    io_.xSync = [](sqlite3_file* f, int flags) {
      return real_of(f)->pMethods->xSync(real_of(f), flags);
    };
    io_.xFileSize = [](sqlite3_file* f, sqlite3_int64* size) {
      return real_of(f)->pMethods->xFileSize(real_of(f), size);
    };
    io_.xLock = [](sqlite3_file* f, int lock) {
      return real_of(f)->pMethods->xLock(real_of(f), lock);
    };
    io_.xUnlock = [](sqlite3_file* f, int lock) {
      return real_of(f)->pMethods->xUnlock(real_of(f), lock);
    };
    io_.xCheckReservedLock = [](sqlite3_file* f, int* out) {
      return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
    };
    io_.xFileControl = [](sqlite3_file* f, int op, void* arg) {
      return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
    };
    io_.xSectorSize = [](sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); };
    io_.xDeviceCharacteristics = [](sqlite3_file* f) {
      return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
    };
    io_.xShmMap = [](sqlite3_file* f, int page, int size, int extend, void volatile** out) {
      return real_of(f)->pMethods->xShmMap(real_of(f), page, size, extend, out);
    };
    io_.xShmLock = [](sqlite3_file* f, int offset, int n, int flags) {
      return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
    };
    io_.xShmBarrier = [](sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); };
    io_.xShmUnmap = [](sqlite3_file* f, int remove) {
      return real_of(f)->pMethods->xShmUnmap(real_of(f), remove);
    };
    io_.xFetch = [](sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
      return real_of(f)->pMethods->xFetch(real_of(f), off, n, out);
    };
    io_.xUnfetch = [](sqlite3_file* f, sqlite3_int64 off, void* p) {
      return real_of(f)->pMethods->xUnfetch(real_of(f), off, p);
    };
    sqlite3_vfs_register(&vfs_, 0);
  }

  static File* as_file(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
  static sqlite3_file* real_of(sqlite3_file* f) { return as_file(f)->real(); }

  static int open(sqlite3_vfs* vfs, const char* name, sqlite3_file* f, int flags, int* out) {
    auto* self = static_cast<FaultyVfs*>(vfs->pAppData);
    File* file = as_file(f);
    std::memset(file, 0, sizeof(File));
    int rc = self->real_->xOpen(self->real_, name, file->real(), flags, out);
    if (rc != SQLITE_OK) return rc;
    std::string_view n = name ? name : "";
    file->wal = n.size() > 4 && n.substr(n.size() - 4) == "-wal";
    file->base.pMethods = &self->io_;
    return SQLITE_OK;
  }

  sqlite3_vfs* real_ = nullptr;
  sqlite3_vfs vfs_{};
  sqlite3_io_methods io_{};
  std::atomic<bool> armed_{false};
  std::atomic<int> injected_{0};
};

}  // namespace disputed::testing
