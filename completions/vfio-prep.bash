# bash completion for vfio-prep(8)                                  -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Options as vfio-prep --help lists them; PCI addresses and vendor:device IDs read from
# ROOT/sys/bus/pci/devices at completion time (ROOT: the --root given on the line, else /);
# after --add SELECTOR, the device options of vfio-prep.conf(5).

# The directory given with -r/--root on the line, or nothing.
_vfio_prep_root()
{
    local i w
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
        -r | --root)
            if [[ ${COMP_WORDS[i + 1]} == = ]]; then
                printf '%s' "${COMP_WORDS[i + 2]}"
            else
                printf '%s' "${COMP_WORDS[i + 1]}"
            fi
            return
            ;;
        -r?*)
            printf '%s' "${w#-r}"
            return
            ;;
        esac
    done
}

# One PCI address per line (DDDD:BB:DD.F), as the kernel names the devices.
_vfio_prep_addresses()
{
    local root d
    root=$(_vfio_prep_root)
    for d in "$root"/sys/bus/pci/devices/*; do
        [[ -e $d ]] && printf '%s\n' "${d##*/}"
    done
}

# One vendor:device ID per line (VVVV:DDDD, lower case, each once), as lspci -nn prints them.
_vfio_prep_ids()
{
    local root d v p
    root=$(_vfio_prep_root)
    for d in "$root"/sys/bus/pci/devices/*; do
        [[ -r $d/vendor && -r $d/device ]] || continue
        read -r v <"$d/vendor" || continue
        read -r p <"$d/device" || continue
        v=${v#0x} p=${p#0x}
        printf '%s:%s\n' "${v,,}" "${p,,}"
    done | sort -u
}

_vfio_prep_reply()
{
    mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -W "$1" -- "$2")
}

# The options of a device line, after --add SELECTOR; "KEY=" ones take a value.
_vfio_prep_device_option()
{
    local key=$1 cur=$2
    case $key in
    functions) _vfio_prep_reply $'auto\nall\none' "$cur" ;;
    id) _vfio_prep_reply "$(_vfio_prep_ids)" "$cur" ;;
    vfs) ;;
    *)
        _vfio_prep_reply $'id=\nfunctions=\nvfs=\nallow-boot-vga\noptional' "$cur"
        [[ ${COMPREPLY[*]} == *= ]] && compopt -o nospace 2>/dev/null
        ;;
    esac
}

# True when the word being completed follows --add SELECTOR.
_vfio_prep_after_add_selector()
{
    local i
    for ((i = 1; i < COMP_CWORD - 1; i++)); do
        [[ ${COMP_WORDS[i]} == --add ]] && return 0
    done
    return 1
}

_vfio_prep()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} key=
    COMPREPLY=()

    # bash splits "--color=al" and "functions=a" at '=' (COMP_WORDBREAKS).
    if [[ $cur == = ]]; then
        key=$prev cur=
    elif [[ $prev == = ]]; then
        key=${COMP_WORDS[COMP_CWORD - 2]}
    fi

    case ${key:-$prev} in
    -c | --config | --capture)
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        compopt -o filenames 2>/dev/null
        return
        ;;
    -r | --root | --sysroot)
        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        compopt -o filenames 2>/dev/null
        return
        ;;
    --release | --remove)
        _vfio_prep_reply "$(_vfio_prep_addresses)" "$cur"
        [[ ${key:-$prev} == --remove ]] && _vfio_prep_reply "$(_vfio_prep_ids)" "$cur"
        return
        ;;
    -d | --device | --add)
        _vfio_prep_reply "$(_vfio_prep_addresses)"$'\n'"$(_vfio_prep_ids)" "$cur"
        return
        ;;
    --color | --colour)
        [[ -n $key ]] && _vfio_prep_reply $'auto\nalways\nnever' "$cur"
        return
        ;;
    --cmdline)
        return
        ;;
    esac

    if [[ $cur != -* ]] && _vfio_prep_after_add_selector; then
        _vfio_prep_device_option "$key" "$cur"
        return
    fi
    if [[ $cur == -* || -z $cur ]]; then
        _vfio_prep_reply $'--check\n--list\n--apply\n--release\n--capture\n--root-record\n--add\n--remove
--help\n--version\n--config\n--root\n--sysroot\n--device\n--cmdline\n--verbose\n--quiet\n--color=\n--colour=
--json\n--dry-run\n-c\n-r\n-d\n-v\n-q\n-h\n-V' "$cur"
        [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
    fi
}

complete -F _vfio_prep vfio-prep
