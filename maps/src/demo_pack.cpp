// The demo basemap's bytes, included from the build directory by the
// assembler (.incbin: no multi-megabyte array for the compiler to parse), and
// its installation through MapPacks. See ccfield/maps/demo_pack.h.
#include "ccfield/maps/demo_pack.h"

#include "ccfield/maps/map_packs.h"

#ifndef CCFIELD_DEMO_PACK_FILE
#error "CCFIELD_DEMO_PACK_FILE must name the built demo pack (maps/CMakeLists.txt)"
#endif
// The pack's hash: a compiler cache cannot see into .incbin, but sees this
// header change with the pack.
#include CCFIELD_DEMO_PACK_HASH_HEADER

__asm__("# the demo pack, FNV-1a " CCFIELD_DEMO_PACK_HASH
        "\n"
        ".section .rodata\n"
        ".balign 16\n"
        "ccfield_demo_pack_begin:\n"
        ".incbin \"" CCFIELD_DEMO_PACK_FILE
        "\"\n"
        "ccfield_demo_pack_end:\n"
        ".balign 16\n"
        ".previous\n");

extern "C" {
extern const char ccfield_demo_pack_begin[] __asm__("ccfield_demo_pack_begin");
extern const char ccfield_demo_pack_end[] __asm__("ccfield_demo_pack_end");
}

namespace ccfield::maps {

std::string_view DemoPackBytes() {
  return std::string_view(ccfield_demo_pack_begin, size_t(ccfield_demo_pack_end - ccfield_demo_pack_begin));
}

Result<bool> InstallDemoPack(Env* env, const std::string& data_dir) {
  MapPacks packs(env, data_dir);
  if (packs.Has(kDemoPackId)) return false;
  CCF_ASSIGN_OR_RETURN(PackInfo info, packs.AddBytes(kDemoPackId, DemoPackBytes()));
  (void)info;
  return true;
}

Status RemoveDemoPack(Env* env, const std::string& data_dir) {
  MapPacks packs(env, data_dir);
  if (!packs.Has(kDemoPackId)) return Status::Ok();
  return packs.Remove(kDemoPackId);
}

}  // namespace ccfield::maps
