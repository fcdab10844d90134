// An empty libnode.dll for `npm run test:windows` only: napi-build's windows-gnu setup refuses to
// build unless a libnode.dll exists to link against. The addon uses napi's dyn-symbols feature (it
// looks up every N-API function in the host process at load time), so nothing is imported from
// this DLL; scripts/test-windows.js checks that the built addon does not name it.
#include <windows.h>

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved) {
  (void)instance;
  (void)reason;
  (void)reserved;
  return TRUE;
}
