# SPDX-License-Identifier: GPL-2.0-or-later
# fish completion for vfio-prep(8): options as vfio-prep --help lists them; PCI addresses and
# vendor:device IDs read from ROOT/sys/bus/pci/devices at completion time (ROOT: the --root
# given on the line, else /); after --add SELECTOR, the device options of vfio-prep.conf(5).

# The directory given with -r/--root on the line, or nothing.
function __vfio_prep_root
    set -l tokens (commandline -opc)
    set -l n (count $tokens)
    for i in (seq 2 $n)
        switch $tokens[$i]
            case -r --root
                test $i -lt $n; and echo $tokens[(math $i + 1)]
                return
            case '--root=*'
                string replace -- --root= '' $tokens[$i]
                return
            case '-r?*'
                string sub -s 3 -- $tokens[$i]
                return
        end
    end
end

function __vfio_prep_addresses
    set -l root (__vfio_prep_root)
    for d in "$root"/sys/bus/pci/devices/*
        printf '%s\tPCI address\n' (path basename $d)
    end
end

function __vfio_prep_ids
    set -l root (__vfio_prep_root)
    for d in "$root"/sys/bus/pci/devices/*
        test -r $d/vendor -a -r $d/device; or continue
        read -l v <$d/vendor; or continue
        read -l p <$d/device; or continue
        printf '%s:%s\tvendor:device ID\n' (string lower -- (string replace 0x '' $v)) \
            (string lower -- (string replace 0x '' $p))
    end | sort -u
end

function __vfio_prep_selectors
    __vfio_prep_addresses
    __vfio_prep_ids
end

# True when the token being completed follows --add SELECTOR.
function __vfio_prep_after_add_selector
    set -l tokens (commandline -opc)
    set -l i (contains -i -- --add $tokens); or return 1
    test (count $tokens) -gt $i
end

# The device options of vfio-prep.conf(5), with the values of functions= and id=.
function __vfio_prep_device_options
    set -l cur (commandline -ct)
    switch $cur
        case 'functions=*'
            printf 'functions=%s\n' auto all one
        case 'id=*'
            for id in (__vfio_prep_ids)
                echo id=$id
            end
        case 'vfs=*'
        case '*'
            printf '%s\tdevice option\n' id= functions= vfs= allow-boot-vga optional
    end
end

complete -c vfio-prep -f
# Modes that take no value are offered until one is given; vfio-prep takes only one.
set -l modes '__fish_seen_argument -l check -l list -l apply -l release -l capture -l root-record -l add -l remove'
complete -c vfio-prep -n "not $modes" -l check -d 'diagnose; read-only'
complete -c vfio-prep -n "not $modes" -l list -d 'IOMMU groups and their devices'
complete -c vfio-prep -n "not $modes" -l apply -d 'bind the configured devices to vfio-pci'
complete -c vfio-prep -n "not $modes" -l root-record -d 'print what kind of controller holds root, for the initramfs'
complete -c vfio-prep -l release -x -a '(__vfio_prep_addresses)' -d 'hand a device back to its host driver'
complete -c vfio-prep -l capture -r -F -d 'capture what vfio-prep reads, for a bug report'
complete -c vfio-prep -l add -x -a '(__vfio_prep_selectors)' -d 'add a device line to the configuration'
complete -c vfio-prep -l remove -x -a '(__vfio_prep_selectors)' -d "remove a device's lines from the configuration"
complete -c vfio-prep -s h -l help -d 'show the usage and exit'
complete -c vfio-prep -s V -l version -d 'print the version and exit'
complete -c vfio-prep -s c -l config -r -F -d 'configuration file'
complete -c vfio-prep -s r -l root -x -a '(__fish_complete_directories)' -d 'find /sys, /proc, /dev, /run, /etc, /boot and /lib/modules below DIR'
complete -c vfio-prep -l sysroot -x -a '(__fish_complete_directories)' -d 'the real root is mounted at DIR (second pass)'
complete -c vfio-prep -s d -l device -x -a '(__vfio_prep_selectors)' -d 'add a device as if configured'
complete -c vfio-prep -l cmdline -x -d 'use STRING instead of ROOT/proc/cmdline'
complete -c vfio-prep -s v -l verbose -d 'say more'
complete -c vfio-prep -s q -l quiet -d 'only errors'
# --color takes its value only as --color=WHEN.
complete -c vfio-prep -l color -l colour -d 'colour the output'
complete -c vfio-prep -n 'string match -q -- "--colo*" (commandline -ct)' -a '--color=auto --color=always --color=never'
complete -c vfio-prep -l json -d 'print JSON (with --check or --list)'
complete -c vfio-prep -l dry-run -d 'print the writes instead of doing them (--apply, --release, --add, --remove)'
complete -c vfio-prep -n __vfio_prep_after_add_selector -a '(__vfio_prep_device_options)'
