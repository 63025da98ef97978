# Sourced by tools/setup.sh and tools/test.sh: install the Debian packages pseg needs, if missing.
PSEG_DEBS="cmake make gcc pkg-config libvulkan-dev libvulkan-volk-dev glslc glslang-tools spirv-tools
  mesa-vulkan-drivers vulkan-validationlayers libpng-dev libjpeg-dev zlib1g-dev
  libavformat-dev libavcodec-dev libswscale-dev libavutil-dev"

pseg_install_debs() {
  local missing=() p
  for p in $PSEG_DEBS "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pseg_build() {
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j"$(nproc)"
}
