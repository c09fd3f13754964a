import CubeCore
